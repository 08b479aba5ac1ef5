import { configuration } from "../../components/mote.ts";
import { Alarm } from "../../components/interfaces/Alarm.ts";
import { TinySchedulerC } from "../../components/kernel/TinySchedulerC.ts";
import { SimAlarmMilliP } from "./SimAlarmMilliP.ts";

export const AlarmMilli32C = configuration("AlarmMilli32C", { provides: { Alarm } }, (c) => {
  const alarm = c.component(SimAlarmMilliP);
  c.equate(c.provides.Alarm, alarm.Alarm);
  c.wire(alarm.Scheduler, c.component(TinySchedulerC).Scheduler);
});
