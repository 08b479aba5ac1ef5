import { genericModule, parameterized } from "../mote.ts";
import { Alarm } from "../interfaces/Alarm.ts";
import { Timer } from "../interfaces/Timer.ts";

const RUNNING = 1;
const ONE_SHOT = 2;

/**
 * Any number of virtual millisecond timers on the platform's one alarm
 * (TinyOS's VirtualizeTimerC). Timer state lives in typed arrays sized at
 * build time, created zeroed (all timers stopped) when the mote starts, so
 * it needs no Init. Times are 32-bit: all arithmetic is modulo 2^32, so timers
 * keep working across the wrap-around.
 */
export const VirtualizeTimerC = genericModule(
  "VirtualizeTimerC",
  (timerCount: number) => ({
    provides: { Timer: parameterized(Timer, timerCount) },
    uses: { Alarm },
  }),
  (c, _host, timerCount) => {
    const t0 = new Uint32Array(timerCount || 1);
    const dt = new Uint32Array(timerCount || 1);
    const flags = new Uint8Array(timerCount || 1);

    /** Arms the alarm for the earliest running timer, or stops it. */
    const updateAlarm = (now: number) => {
      let soonest = -1 >>> 0; // 2^32 - 1, written short for the image
      let any = false;
      for (let i = 0; i < timerCount; i++) {
        if (flags[i] & RUNNING) {
          const elapsed = (now - t0[i]) >>> 0;
          const remaining = elapsed >= dt[i] ? 0 : dt[i] - elapsed;
          if (remaining < soonest) soonest = remaining;
          any = true;
        }
      }
      if (any) c.Alarm.startAt(now, soonest);
      else c.Alarm.stop();
    };


    const start = (id: number, start0: number, interval: number, oneShot: boolean) => {
      t0[id] = start0 >>> 0;
      dt[id] = interval >>> 0;
      flags[id] = oneShot ? RUNNING | ONE_SHOT : RUNNING;
      // Re-arm at once (TinyOS posts a task for this; a direct call costs less here and allocates nothing).
      updateAlarm(c.Alarm.getNow());
    };

    return {
      Alarm: {
        fired() {
          let now = c.Alarm.getNow();
          for (let i = 0; i < timerCount; i++) {
            const f = flags[i];
            if (f & RUNNING && ((now - t0[i]) >>> 0) >= dt[i]) {
              if (f & ONE_SHOT) flags[i] = ONE_SHOT; // stays a one-shot, no longer running (as TinyOS)
              else t0[i] = (t0[i] + dt[i]) >>> 0;
              c.Timer.fired(i);
              // The handler took time and may have started a timer with a
              // fresh t0: compared with an older time, now - t0 would wrap to
              // nearly 2^32 and fire it at once.
              now = c.Alarm.getNow();
            }
          }
          // A handler may have started or stopped timers: re-arm from the latest time read.
          updateAlarm(now);
        },
      },
      Timer: {
        startPeriodic(id, interval) {
          start(id, c.Alarm.getNow(), interval, false);
        },
        startOneShot(id, interval) {
          start(id, c.Alarm.getNow(), interval, true);
        },
        stop(id) {
          flags[id] &= ~RUNNING;
          updateAlarm(c.Alarm.getNow());
        },
        isRunning: (id) => (flags[id] & RUNNING) !== 0,
        isOneShot: (id) => (flags[id] & ONE_SHOT) !== 0,
        startPeriodicAt(id, start0, interval) {
          start(id, start0, interval, false);
        },
        startOneShotAt(id, start0, interval) {
          start(id, start0, interval, true);
        },
        getNow: () => c.Alarm.getNow(),
        gett0: (id) => t0[id],
        getdt: (id) => dt[id],
      },
    };
  },
);
