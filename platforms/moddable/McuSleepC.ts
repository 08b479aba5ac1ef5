import { configuration } from "../../components/mote.ts";
import { McuSleep } from "../../components/interfaces/McuSleep.ts";
import { ModdableMcuSleepP } from "./ModdableMcuSleepP.ts";

export const McuSleepC = configuration("McuSleepC", { provides: { McuSleep } }, (c) => {
  c.equate(c.provides.McuSleep, c.component(ModdableMcuSleepP).McuSleep);
});
