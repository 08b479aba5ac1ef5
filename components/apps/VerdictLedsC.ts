import { module } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { Leds } from "../interfaces/Leds.ts";
import { Verdict } from "../interfaces/Verdict.ts";

/** Shows verdicts on the LEDs: LED 1 (green) for a pass, LED 0 (red) for a failure. */
export const VerdictLedsC = module("VerdictLedsC", { uses: { Verdict, Leds } }, (c) => ({
  Verdict: {
    decided(_suite, result) {
      if (result === SUCCESS) c.Leds.led1On();
      else c.Leds.led0On();
    },
  },
}));
