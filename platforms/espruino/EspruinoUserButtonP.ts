import { module } from "../../components/mote.ts";
import { FAIL, SUCCESS } from "../../components/TinyError.ts";
import { Get } from "../../components/interfaces/Get.ts";
import { BUTTON_PRESSED, BUTTON_RELEASED, Notify } from "../../components/interfaces/Notify.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import type { EspruinoGlobal, EspruinoPin, EspruinoWatchEvent, EspruinoWatchOptions } from "./EspruinoApi.ts";

declare const global: EspruinoGlobal;
declare const setWatch: (callback: (e: EspruinoWatchEvent) => void, pin: EspruinoPin, options: EspruinoWatchOptions) => number;
declare const clearWatch: (id: number) => void;
declare const digitalRead: (pin: EspruinoPin) => number;

/** Presses closer together than this many milliseconds are one press (contact bounce). */
export const BUTTON_DEBOUNCE_MS = 25;

/**
 * The board's button (BTN1, or BTN) through `setWatch` on both edges with
 * Espruino's own debounce. `enable()` starts the watch, `disable()` clears
 * it (never `clearWatch()` without an id: that clears every watch). Each
 * change is an interrupt: `notify` and then the task loop. Boards without a
 * button fail `enable()` and read as released.
 */
export const EspruinoUserButtonP = module(
  "EspruinoUserButtonP",
  { provides: { Notify: Notify<number>(), Get }, uses: { Scheduler } },
  (c) => {
    const g = global;
    const pin = g.BTN1 || g.BTN;
    let watch = 0; // Espruino's watch id (from 1); 0 when disabled
    return {
      Notify: {
        enable() {
          if (!pin) return FAIL;
          if (!watch) {
            watch = setWatch(
              (e) => {
                c.Notify.notify(e.state ? BUTTON_PRESSED : BUTTON_RELEASED);
                c.Scheduler.taskLoop();
              },
              pin,
              { repeat: true, edge: "both", debounce: BUTTON_DEBOUNCE_MS },
            );
          }
          return SUCCESS;
        },
        disable() {
          if (watch) clearWatch(watch);
          watch = 0;
          return SUCCESS;
        },
      },
      Get: { get: () => (pin && digitalRead(pin) ? BUTTON_PRESSED : BUTTON_RELEASED) },
    };
  },
);
