import { module } from "../../components/mote.ts";
import { Alarm } from "../../components/interfaces/Alarm.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import type { ModdableTime, ModdableTimer } from "./ModdableApi.ts";

declare const Timer: ModdableTimer;
declare const Time: ModdableTime;

/** A repeat interval long enough never to come (the alarm re-arms or unschedules itself first). */
const NEVER = 0x7fffffff;

/**
 * The millisecond alarm on Moddable's `Time.ticks` (cut to 32 bits) and one
 * `Timer` made once as the image starts and rescheduled ever after
 * (`Timer.schedule`), so arming the alarm allocates nothing. It is a
 * repeating timer that never gets to repeat: a one-shot timer is freed by
 * Moddable once it has fired. `Timer.schedule(id)` with no interval
 * unschedules it (stop). After `fired` the task loop runs.
 */
export const ModdableAlarmMilliP = module(
  "ModdableAlarmMilliP",
  { provides: { Alarm }, uses: { Scheduler } },
  (c) => {
    const now = () => Time.ticks >>> 0;
    let running = false;
    let alarm = 0;
    const timer = Timer.repeat(() => {
      Timer.schedule(timer);
      running = false;
      c.Alarm.fired();
      c.Scheduler.taskLoop();
    }, NEVER);
    Timer.schedule(timer);
    const startAt = (t0: number, dt: number) => {
      alarm = (t0 + dt) >>> 0;
      const elapsed = (now() - t0) >>> 0;
      running = true;
      Timer.schedule(timer, elapsed >= dt ? 0 : dt - elapsed, NEVER);
    };
    return {
      Alarm: {
        start: (dt) => startAt(now(), dt),
        startAt,
        stop() {
          running = false;
          Timer.schedule(timer);
        },
        isRunning: () => running,
        getNow: now,
        getAlarm: () => alarm,
      },
    };
  },
);
