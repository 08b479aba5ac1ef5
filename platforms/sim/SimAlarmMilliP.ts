import { module } from "../../components/mote.ts";
import { Alarm } from "../../components/interfaces/Alarm.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import type { MoteHost } from "./MoteHost.ts";

/**
 * The millisecond alarm on the host's counter. Its commands are the host's
 * own functions, so the timer layer reaches the host in one call. Its firing
 * is an interrupt: after `fired` it runs the task loop, as every HAL
 * interrupt does.
 */
export const SimAlarmMilliP = module(
  "SimAlarmMilliP",
  { provides: { Alarm }, uses: { Scheduler } },
  (c, host) => {
    const now = (host as MoteHost).now;
    const startAt = (host as MoteHost).startAlarmAt;
    (host as MoteHost).onAlarm(() => {
      c.Alarm.fired();
      c.Scheduler.taskLoop();
    });
    return {
      Alarm: {
        start: (dt) => startAt(now(), dt),
        startAt,
        stop: (host as MoteHost).stopAlarm,
        isRunning: (host as MoteHost).alarmRunning,
        getNow: now,
        getAlarm: (host as MoteHost).alarmTime,
      },
    };
  },
);
