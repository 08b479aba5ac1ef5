import { module } from "../../components/mote.ts";
import { Leds } from "../../components/interfaces/Leds.ts";
import type { EspruinoGlobal, EspruinoPin } from "./EspruinoApi.ts";

declare const global: EspruinoGlobal;
declare const digitalWrite: (pins: readonly EspruinoPin[], value: number) => void;
/** The board's LEDs lit by a low pin (the build's LEDS_ACTIVE_LOW: 1 on the ESP8266's ESP-12 module). */
declare const MOTE_LEDS_ACTIVE_LOW: number | undefined;
const ACTIVE_LOW: number = typeof MOTE_LEDS_ACTIVE_LOW === "number" ? MOTE_LEDS_ACTIVE_LOW : 0;

/**
 * The LEDs the board's firmware names LED1, LED2 and LED3, written together
 * with one `digitalWrite` of a pin array (Espruino writes the value's bits
 * to the pins, least significant bit to the last pin). A board with fewer
 * LEDs (the Pico has two, the MDBT42Q and ESP32 one) simply
 * has a shorter array: `global.LED3` is undefined there. Each command is
 * one call from the application into the interpreter (no GeneralIO layer:
 * on Espruino every function hop costs as much as the call itself). The
 * LEDs are off when the image starts: Espruino resets the pins low before
 * it runs `.bootcde`, and an active-low LED is switched off first.
 */
export const EspruinoLedsP = module("EspruinoLedsP", { provides: { Leds } }, () => {
  const g = global;
  // Espruino's ESP32 and ESP8266 firmware names no LED1 (their board files define no LEDs); their
  // common boards (ESP32 DevKit, ESP-12 modules) have a blue LED on GPIO2, so D2 stands in there.
  // Every other board names LED1, and the Pico has no D2.
  const pins = [g.LED3, g.LED2, g.LED1 || g.D2].filter((p) => p) as EspruinoPin[];
  // A short local name for the image (Espruino's own functions need no `this`). With no active-low
  // LED (every board but the ESP8266) the build folds this to digitalWrite itself: no extra call.
  const write = ACTIVE_LOW ? (p: readonly EspruinoPin[], value: number) => digitalWrite(p, value ^ ACTIVE_LOW) : digitalWrite;
  // Espruino resets pins low before it runs the image, which lights an active-low LED: off at start.
  if (ACTIVE_LOW) write(pins, 0);
  let state = 0;
  return {
    Leds: {
      led0On: () => write(pins, (state |= 1)),
      led0Off: () => write(pins, (state &= 6)),
      led0Toggle: () => write(pins, (state ^= 1)),
      led1On: () => write(pins, (state |= 2)),
      led1Off: () => write(pins, (state &= 5)),
      led1Toggle: () => write(pins, (state ^= 2)),
      led2On: () => write(pins, (state |= 4)),
      led2Off: () => write(pins, (state &= 3)),
      led2Toggle: () => write(pins, (state ^= 4)),
      get: () => state,
      set: (value) => write(pins, (state = value & 7)),
    },
  };
});
