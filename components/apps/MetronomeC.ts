import { genericConfiguration } from "../mote.ts";
import { Beat } from "../interfaces/Beat.ts";
import { MetronomeP } from "./MetronomeP.ts";

/**
 * A client of the shared metronome: each `c.new(MetronomeC)` takes the next
 * index of MetronomeP's parameterized Beat (`unique`), as TimerMilliC does.
 */
export const MetronomeC = genericConfiguration("MetronomeC", () => ({ provides: { Beat } }), (c) => {
  c.equate(c.provides.Beat, c.component(MetronomeP).Beat.at(c.unique("MetronomeC.Beat")));
});
