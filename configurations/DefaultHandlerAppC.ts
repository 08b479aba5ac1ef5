import { configuration } from "../components/mote.ts";
import { DebugC } from "#platform";
import { SamplerC } from "../components/apps/SamplerC.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";
import { TimerMilliC } from "../components/timer/TimerMilliC.ts";

/**
 * Default handlers. SamplerC's Sensor (a used command) is left unwired and
 * nobody handles its Reading (a provided event): it still builds, and
 * SamplerC's own defaults run in their place.
 */
export const DefaultHandlerAppC = configuration("DefaultHandlerAppC", {}, (c) => {
  const sampler = c.component(SamplerC);
  c.wire(sampler.Boot, c.component(MainC).Boot);
  c.wire(sampler.Timer, c.new(TimerMilliC).Timer);
  c.wire(sampler.Leds, c.component(LedsC).Leds);
  c.wire(sampler.Debug, c.component(DebugC).Debug);
});
