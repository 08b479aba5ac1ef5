import { genericModule, parameterized } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { Alarm } from "../interfaces/Alarm.ts";
import { Init } from "../interfaces/Init.ts";
import { Timer } from "../interfaces/Timer.ts";

const RUNNING = 1;
const ONE_SHOT = 2;

/**
 * Any number of virtual millisecond timers on the platform's one alarm
 * (TinyOS's VirtualizeTimerC). Timer state lives in typed arrays sized at
 * build time. Times are 32-bit: all arithmetic is modulo 2^32, so timers
 * keep working across the wrap-around.
 */
export const VirtualizeTimerC = genericModule(
  "VirtualizeTimerC",
  (timerCount: number) => ({
    provides: { Init, Timer: parameterized(Timer, timerCount) },
    uses: { Alarm },
    tasks: ["updateFromTimer"],
  }),
  (c, _host, timerCount) => {
    const n = timerCount > 0 ? timerCount : 1;
    const t0 = new Uint32Array(n);
    const dt = new Uint32Array(n);
    const flags = new Uint8Array(n);

    /** Arms the alarm for the earliest running timer, or stops it. */
    const updateAlarm = (now: number) => {
      let soonest = 0xffffffff;
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
      c.post.updateFromTimer();
    };

    return {
      Init: {
        init() {
          flags.fill(0);
          return SUCCESS;
        },
      },
      Alarm: {
        fired() {
          const now = c.Alarm.getNow();
          for (let i = 0; i < timerCount; i++) {
            const f = flags[i];
            if (f & RUNNING && ((now - t0[i]) >>> 0) >= dt[i]) {
              if (f & ONE_SHOT) flags[i] = ONE_SHOT; // stays a one-shot, no longer running (as TinyOS)
              else t0[i] = (t0[i] + dt[i]) >>> 0;
              c.Timer.fired(i);
            }
          }
          // A handler may have started or stopped timers: re-arm from the time this event began.
          updateAlarm(now);
        },
      },
      tasks: {
        updateFromTimer() {
          updateAlarm(c.Alarm.getNow());
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
          c.post.updateFromTimer();
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
