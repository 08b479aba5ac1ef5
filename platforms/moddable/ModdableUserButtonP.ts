import { module } from "../../components/mote.ts";
import { FAIL, SUCCESS } from "../../components/TinyError.ts";
import { Get } from "../../components/interfaces/Get.ts";
import { BUTTON_PRESSED, BUTTON_RELEASED, Notify } from "../../components/interfaces/Notify.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import type { Device419, Digital419, ModdableTimer, MoteConfig } from "./ModdableApi.ts";

declare const device: Device419;
declare const moteConfig: MoteConfig;
declare const Timer: ModdableTimer;

/** The contact must keep its state this long (ms) before a change is reported. */
export const BUTTON_DEBOUNCE_MS = 25;
const NEVER = 0x7fffffff;

/**
 * The board's button as an ECMA-419 Digital input with both edges
 * (`moteConfig.button`, pulled up; `buttonInverted` when it reads 0 while
 * pressed, as the ESP32's BOOT button does). An edge (re)starts a debounce
 * timer; when it fires, a state different from the last one reported is
 * notified, then the task loop runs.
 */
export const ModdableUserButtonP = module(
  "ModdableUserButtonP",
  { provides: { Notify: Notify<number>(), Get }, uses: { Scheduler } },
  (c) => {
    const Digital = device.io.Digital;
    const invert = moteConfig.buttonInverted ? 1 : 0;
    let input: Digital419 | undefined;
    let enabled = false;
    let reported = -1;
    const state = () => (input ? input.read() ^ invert : 0);
    const settle = Timer.repeat(() => {
      Timer.schedule(settle);
      const now = state();
      if (!enabled || now === reported) return;
      reported = now;
      c.Notify.notify(now ? BUTTON_PRESSED : BUTTON_RELEASED);
      c.Scheduler.taskLoop();
    }, NEVER);
    Timer.schedule(settle);
    if (moteConfig.button >= 0) {
      input = new Digital({
        pin: moteConfig.button,
        mode: Digital.InputPullUp,
        edge: Digital.Rising | Digital.Falling,
        onReadable() {
          Timer.schedule(settle, BUTTON_DEBOUNCE_MS, NEVER);
        },
      });
    }
    return {
      Notify: {
        enable() {
          if (!input) return FAIL;
          enabled = true;
          reported = state();
          return SUCCESS;
        },
        disable() {
          enabled = false;
          return SUCCESS;
        },
      },
      Get: { get: () => (state() ? BUTTON_PRESSED : BUTTON_RELEASED) },
    };
  },
);
