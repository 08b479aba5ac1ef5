import { genericModule } from "../mote.ts";
import { EALREADY, SUCCESS } from "../TinyError.ts";
import { Random } from "../interfaces/Random.ts";
import { Timer } from "../interfaces/Timer.ts";
import { TrickleTimer } from "../interfaces/TrickleTimer.ts";

/**
 * One Trickle timer on one millisecond timer. Each interval has two
 * moments: the transmit point t, random in [I/2, I), where `fired` is
 * signalled unless suppressed, and the interval's end, where I doubles (up
 * to `highMs`) and the counter clears.
 */
export const TrickleTimerP = genericModule(
  "TrickleTimerP",
  (_lowMs: number, _highMs: number, _k: number) => ({
    provides: { TrickleTimer },
    uses: { Timer, Random },
  }),
  (c, _host, lowMs, highMs, k) => {
    let running = false;
    let interval = lowMs;
    let counter = 0;
    /** What the pending timer marks: the transmit point (true) or the interval's end (false). */
    let atTransmitPoint = false;
    /** Time left in the interval after the transmit point. */
    let remainder = 0;

    const beginInterval = () => {
      counter = 0;
      const half = interval >>> 1;
      const t = half + (half > 0 ? c.Random.rand32() % half : 0);
      remainder = interval - t;
      atTransmitPoint = true;
      c.Timer.startOneShot(t);
    };

    return {
      TrickleTimer: {
        start() {
          if (running) return EALREADY;
          running = true;
          interval = lowMs;
          beginInterval();
          return SUCCESS;
        },
        stop() {
          running = false;
          c.Timer.stop();
        },
        reset() {
          interval = lowMs;
          if (running) {
            c.Timer.stop();
            beginInterval();
          }
        },
        incrementCounter() {
          counter++;
        },
      },
      Timer: {
        fired() {
          if (!running) return;
          if (atTransmitPoint) {
            atTransmitPoint = false;
            c.Timer.startOneShot(remainder);
            if (counter < k) c.TrickleTimer.fired();
          } else {
            interval = interval * 2 > highMs ? highMs : interval * 2;
            beginInterval();
          }
        },
      },
    };
  },
);
