import { configuration } from "../components/mote.ts";
import { ActiveMessageC } from "../components/am/ActiveMessageC.ts";
import { AMReceiverC } from "../components/am/AMReceiverC.ts";
import { AMSenderC } from "../components/am/AMSenderC.ts";
import { OscilloscopeC } from "../components/apps/OscilloscopeC.ts";
import { OscilloscopeMsg } from "../components/apps/OscilloscopeMsg.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";
import { TimerMilliC } from "../components/timer/TimerMilliC.ts";
import { NodeIdC, PlatformSensorC } from "#platform";

/**
 * TinyOS's OscilloscopeAppC: samples sensor channel 0 (TinyOS's DemoSensorC)
 * every 256 ms and broadcasts ten readings at a time as OscilloscopeMsg
 * (AM type 0x93). A PC reads them through a BaseStationAppC mote and changes
 * the interval by broadcasting a message with a newer version.
 */
export const OscilloscopeAppC = configuration("OscilloscopeAppC", {}, (c) => {
  const app = c.component(OscilloscopeC);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.RadioControl, c.component(ActiveMessageC).SplitControl);
  c.wire(app.AMSend, c.new(AMSenderC, OscilloscopeMsg.amType).AMSend);
  c.wire(app.Receive, c.new(AMReceiverC, OscilloscopeMsg.amType).Receive);
  c.wire(app.Timer, c.new(TimerMilliC).Timer);
  c.wire(app.Read, c.new(PlatformSensorC, 0).Read);
  c.wire(app.Leds, c.component(LedsC).Leds);
  c.wire(app.NodeId, c.component(NodeIdC).NodeId);
});
