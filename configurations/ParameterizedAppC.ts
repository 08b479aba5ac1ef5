import { configuration } from "../components/mote.ts";
import { DebugC } from "#platform";
import { MetronomeC } from "../components/apps/MetronomeC.ts";
import { MetronomeLedsC } from "../components/apps/MetronomeLedsC.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";

/**
 * A parameterized interface: three MetronomeC clients share one metronome
 * (MetronomeP), numbered 0, 1, 2 by `unique` in wiring order; the metronome
 * is sized by `uniqueCount` and routes each beat to its own client.
 */
export const ParameterizedAppC = configuration("ParameterizedAppC", {}, (c) => {
  const app = c.component(MetronomeLedsC);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.Debug, c.component(DebugC).Debug);
  c.wire(app.Leds, c.component(LedsC).Leds);
  c.wire(app.Fast, c.new(MetronomeC).Beat);
  c.wire(app.Medium, c.new(MetronomeC).Beat);
  c.wire(app.Slow, c.new(MetronomeC).Beat);
});
