import { configuration } from "../../components/mote.ts";
import { Alarm } from "../../components/interfaces/Alarm.ts";
import { TinySchedulerC } from "../../components/kernel/TinySchedulerC.ts";
import { ModdableAlarmMilliP } from "./ModdableAlarmMilliP.ts";

export const AlarmMilli32C = configuration("AlarmMilli32C", { provides: { Alarm } }, (c) => {
  const alarm = c.component(ModdableAlarmMilliP);
  c.equate(c.provides.Alarm, alarm.Alarm);
  c.wire(alarm.Scheduler, c.component(TinySchedulerC).Scheduler);
});
