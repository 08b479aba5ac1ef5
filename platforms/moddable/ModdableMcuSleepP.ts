import { module } from "../../components/mote.ts";
import { McuSleep } from "../../components/interfaces/McuSleep.ts";

/** Nothing to do: XS returns to the host's event loop, which idles the CPU, when the event is over. */
export const ModdableMcuSleepP = module("ModdableMcuSleepP", { provides: { McuSleep } }, () => ({
  McuSleep: { sleep() {} },
}));
