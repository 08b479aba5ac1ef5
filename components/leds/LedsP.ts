import { module } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { GeneralIO } from "../interfaces/GeneralIO.ts";
import { Init } from "../interfaces/Init.ts";
import { Leds } from "../interfaces/Leds.ts";

/** The Leds interface over three output pins; all LEDs start off. */
export const LedsP = module(
  "LedsP",
  { provides: { Init, Leds }, uses: { Led0: GeneralIO, Led1: GeneralIO, Led2: GeneralIO } },
  (c) => ({
    Init: {
      init() {
        c.Led0.clr();
        c.Led1.clr();
        c.Led2.clr();
        return SUCCESS;
      },
    },
    Leds: {
      led0On: () => c.Led0.set(),
      led0Off: () => c.Led0.clr(),
      led0Toggle: () => c.Led0.toggle(),
      led1On: () => c.Led1.set(),
      led1Off: () => c.Led1.clr(),
      led1Toggle: () => c.Led1.toggle(),
      led2On: () => c.Led2.set(),
      led2Off: () => c.Led2.clr(),
      led2Toggle: () => c.Led2.toggle(),
      get: () => (c.Led0.get() ? 1 : 0) | (c.Led1.get() ? 2 : 0) | (c.Led2.get() ? 4 : 0),
      set(value) {
        if (value & 1) c.Led0.set();
        else c.Led0.clr();
        if (value & 2) c.Led1.set();
        else c.Led1.clr();
        if (value & 4) c.Led2.set();
        else c.Led2.clr();
      },
    },
  }),
);
