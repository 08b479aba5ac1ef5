import { module } from "../../components/mote.ts";
import { Leds } from "../../components/interfaces/Leds.ts";
import type { MoteHost } from "./MoteHost.ts";

/**
 * The three LEDs, reported to the host on every change. A host-driven mote
 * has no pins to drive, so this implements Leds directly, one call from the
 * application to the host (boards with pins use LedsP over GeneralIO).
 */
export const SimLedsP = module("SimLedsP", { provides: { Leds } }, (_c, host) => {
  const setLed = (host as MoteHost).setLed;
  let state = 0;
  return {
    Leds: {
      led0On() {
        state |= 1;
        setLed(0, true);
      },
      led0Off() {
        state &= ~1;
        setLed(0, false);
      },
      led0Toggle() {
        state ^= 1;
        setLed(0, !!(state & 1));
      },
      led1On() {
        state |= 2;
        setLed(1, true);
      },
      led1Off() {
        state &= ~2;
        setLed(1, false);
      },
      led1Toggle() {
        state ^= 2;
        setLed(1, !!(state & 2));
      },
      led2On() {
        state |= 4;
        setLed(2, true);
      },
      led2Off() {
        state &= ~4;
        setLed(2, false);
      },
      led2Toggle() {
        state ^= 4;
        setLed(2, !!(state & 4));
      },
      get: () => state,
      set(value) {
        for (let i = 0; i < 3; i++) {
          const bit = 1 << i;
          if ((state & bit) !== (value & bit)) {
            state ^= bit;
            setLed(i, !!(state & bit));
          }
        }
      },
    },
  };
});
