import { configuration, parameterized } from "../mote.ts";
import { DebugC } from "#platform";
import { Beat } from "../interfaces/Beat.ts";
import { TimerMilliC } from "../timer/TimerMilliC.ts";
import { MetronomeImplP } from "./MetronomeImplP.ts";

/**
 * The one metronome every MetronomeC shares: it ticks every 100 ms and is
 * sized by `uniqueCount`, so it has exactly one slot per client.
 */
export const MetronomeP = configuration("MetronomeP", { provides: { Beat: parameterized(Beat) } }, (c) => {
  const impl = c.new(MetronomeImplP, c.uniqueCount("MetronomeC.Beat"), 100);
  c.equate(c.provides.Beat, impl.Beat);
  c.wire(impl.Timer, c.new(TimerMilliC).Timer);
  c.wire(impl.Debug, c.component(DebugC).Debug);
});
