import { module } from "../../components/mote.ts";
import { Alarm } from "../../components/interfaces/Alarm.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import type { MoteHost } from "./MoteHost.ts";

/**
 * The millisecond alarm on the host's counter. Its firing is an interrupt:
 * after `fired` it runs the task loop, as every HAL interrupt does.
 */
export const SimAlarmMilliP = module(
  "SimAlarmMilliP",
  { provides: { Alarm }, uses: { Scheduler } },
  (c, host) => {
    const hal = host as MoteHost;
    const now = hal.now;
    const setAlarm = hal.setAlarm;
    let running = false;
    let alarmAt = 0;
    const interrupt = () => {
      running = false;
      c.Alarm.fired();
      c.Scheduler.taskLoop();
    };
    return {
      Alarm: {
        start(dt) {
          running = true;
          alarmAt = (now() + dt) >>> 0;
          setAlarm(alarmAt, interrupt);
        },
        startAt(t0, dt) {
          running = true;
          alarmAt = (t0 + dt) >>> 0;
          setAlarm(alarmAt, interrupt);
        },
        stop() {
          running = false;
          hal.cancelAlarm();
        },
        isRunning: () => running,
        getNow: now,
        getAlarm: () => alarmAt,
      },
    };
  },
);
