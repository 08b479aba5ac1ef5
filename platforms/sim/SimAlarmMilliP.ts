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
    const hal = host as MoteHost;
    const now = hal.now;
    const startAt = hal.startAlarmAt;
    hal.onAlarm(() => {
      c.Alarm.fired();
      c.Scheduler.taskLoop();
    });
    return {
      Alarm: {
        start: (dt) => startAt(now(), dt),
        startAt,
        stop: hal.stopAlarm,
        isRunning: hal.alarmRunning,
        getNow: now,
        getAlarm: hal.alarmTime,
      },
    };
  },
);
