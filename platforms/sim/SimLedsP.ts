import { module } from "../../components/mote.ts";
import { GeneralIO } from "../../components/interfaces/GeneralIO.ts";
import type { MoteHost } from "./MoteHost.ts";

/** Three LED pins that report every change to the host. */
export const SimLedsP = module(
  "SimLedsP",
  { provides: { Led0: GeneralIO, Led1: GeneralIO, Led2: GeneralIO } },
  (_c, host) => {
    const hal = host as MoteHost;
    let state = 0;
    const write = (bit: number, index: number, on: boolean) => {
      state = on ? state | bit : state & ~bit;
      hal.setLed(index, on);
    };
    return {
      Led0: {
        set: () => write(1, 0, true),
        clr: () => write(1, 0, false),
        toggle: () => write(1, 0, (state & 1) === 0),
        get: () => (state & 1) !== 0,
      },
      Led1: {
        set: () => write(2, 1, true),
        clr: () => write(2, 1, false),
        toggle: () => write(2, 1, (state & 2) === 0),
        get: () => (state & 2) !== 0,
      },
      Led2: {
        set: () => write(4, 2, true),
        clr: () => write(4, 2, false),
        toggle: () => write(4, 2, (state & 4) === 0),
        get: () => (state & 4) !== 0,
      },
    };
  },
);
