import { genericConfiguration } from "../mote.ts";
import { TrickleTimer } from "../interfaces/TrickleTimer.ts";
import { RandomC } from "../random/RandomC.ts";
import { TimerMilliC } from "../timer/TimerMilliC.ts";
import { TrickleTimerP } from "./TrickleTimerP.ts";

/**
 * A Trickle timer of one's own: `c.new(TrickleTimerMilliC, lowMs, highMs, k)`
 * (TinyOS's TrickleTimerMilliC, one timer per instance).
 */
export const TrickleTimerMilliC = genericConfiguration(
  "TrickleTimerMilliC",
  (_lowMs: number, _highMs: number, _k: number) => ({ provides: { TrickleTimer } }),
  (c, lowMs, highMs, k) => {
    const trickle = c.new(TrickleTimerP, lowMs, highMs, k);
    c.equate(c.provides.TrickleTimer, trickle.TrickleTimer);
    c.wire(trickle.Timer, c.new(TimerMilliC).Timer);
    c.wire(trickle.Random, c.component(RandomC).Random);
  },
);
