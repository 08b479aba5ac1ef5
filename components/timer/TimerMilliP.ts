import { configuration, parameterized } from "../mote.ts";
import { Timer } from "../interfaces/Timer.ts";
import { AlarmMilli32C } from "#platform";
import { VirtualizeTimerC } from "./VirtualizeTimerC.ts";

/** The one set of virtual millisecond timers that every TimerMilliC shares. */
export const TimerMilliP = configuration(
  "TimerMilliP",
  { provides: { TimerMilli: parameterized(Timer) } },
  (c) => {
    const virtualized = c.new(VirtualizeTimerC, c.uniqueCount("TimerMilliC.Timer"));
    const alarm = c.component(AlarmMilli32C);
    c.equate(c.provides.TimerMilli, virtualized.Timer);
    c.wire(virtualized.Alarm, alarm.Alarm);
  },
);
