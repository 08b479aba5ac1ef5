import { module } from "../../components/mote.ts";
import { McuSleep } from "../../components/interfaces/McuSleep.ts";
import type { MoteHost } from "./MoteHost.ts";

/** Tells the host the MCU is idle (it accounts the sleep state). */
export const SimMcuSleepP = module("SimMcuSleepP", { provides: { McuSleep } }, (_c, host) => {
  return { McuSleep: { sleep: (host as MoteHost).sleep } };
});
