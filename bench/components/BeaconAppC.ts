import { configuration } from "../../components/mote.ts";
import { MainC } from "../../components/kernel/MainC.ts";
import { LedsC } from "../../components/leds/LedsC.ts";
import { TimerMilliC } from "../../components/timer/TimerMilliC.ts";
import { NodeIdC, PlatformRadioC } from "#platform";
import { BeaconC } from "./BeaconC.ts";

/** Every mote broadcasts 20 bytes a second (the simulator benchmark's workload). */
export const BeaconAppC = configuration("BeaconAppC", {}, (c) => {
  const app = c.component(BeaconC);
  const radio = c.component(PlatformRadioC);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.Radio, radio.SplitControl);
  c.wire(app.Link, radio.PacketLink);
  c.wire(app.Timer, c.new(TimerMilliC).Timer);
  c.wire(app.NodeId, c.component(NodeIdC).NodeId);
  c.wire(app.Leds, c.component(LedsC).Leds);
});
