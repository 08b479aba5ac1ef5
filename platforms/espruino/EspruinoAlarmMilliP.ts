import { module } from "../../components/mote.ts";
import { Alarm } from "../../components/interfaces/Alarm.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";

declare const getTime: () => number;
declare const setTimeout: (callback: () => void, ms: number) => number;
declare const clearTimeout: (id: number) => void;

/**
 * The millisecond alarm on Espruino's own clock and timers.
 *
 * The counter is `getTime()` (seconds since boot, a float) in whole
 * milliseconds, cut to 32 bits: Espruino's `>>>` converts a float through a
 * 64-bit integer, so the counter wraps at 2^32 ms as the Alarm contract
 * says, and all arithmetic on it is modulo 2^32.
 *
 * The alarm is one `setTimeout`; re-arming clears the previous one first
 * (never `clearTimeout()` without an id: that clears every timeout). A time
 * already passed fires at once, from a zero timeout, never from inside
 * `startAt`. Espruino counts a timeout from the moment the current event
 * began, not from the moment `setTimeout` is called, so while the alarm's
 * own event runs the delay is counted from the time it fired (`ref`), not
 * from the clock: otherwise every alarm would wake the board once early and
 * once more. Espruino sleeps by itself between events; after `fired` the
 * task loop runs, as after every HAL event.
 */
export const EspruinoAlarmMilliP = module(
  "EspruinoAlarmMilliP",
  { provides: { Alarm }, uses: { Scheduler } },
  (c) => {
    const now = () => (getTime() * 1000) >>> 0;
    let timeout = 0; // Espruino's timeout id (from 1); 0 when the alarm is stopped
    let alarm = 0;
    let ref = -1; // the counter when the alarm's own event began; -1 outside it
    const fire = () => {
      timeout = 0;
      ref = now();
      c.Alarm.fired();
      c.Scheduler.taskLoop();
      ref = -1;
    };
    return {
      Alarm: {
        start: (dt) => {
          if (timeout) clearTimeout(timeout);
          alarm = (now() + dt) >>> 0;
          timeout = setTimeout(fire, dt);
        },
        startAt(t0, dt) {
          if (timeout) clearTimeout(timeout);
          alarm = (t0 + dt) >>> 0;
          // A negative delay (the time has passed) is a zero timeout on Espruino: it fires at once.
          timeout = setTimeout(fire, dt - (((ref < 0 ? now() : ref) - t0) >>> 0));
        },
        stop() {
          if (timeout) clearTimeout(timeout);
          timeout = 0;
        },
        isRunning: () => timeout !== 0,
        getNow: now,
        getAlarm: () => alarm,
      },
    };
  },
);
