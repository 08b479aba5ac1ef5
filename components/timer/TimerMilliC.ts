import { genericConfiguration } from "../mote.ts";
import { Timer } from "../interfaces/Timer.ts";
import { TimerMilliP } from "./TimerMilliP.ts";

/** A millisecond timer of one's own: `c.new(TimerMilliC)`. */
export const TimerMilliC = genericConfiguration("TimerMilliC", () => ({ provides: { Timer } }), (c) => {
  const timers = c.component(TimerMilliP);
  c.equate(c.provides.Timer, timers.TimerMilli.at(c.unique("TimerMilliC.Timer")));
});
