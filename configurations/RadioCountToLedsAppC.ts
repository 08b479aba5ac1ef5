import { configuration } from "../components/mote.ts";
import { ActiveMessageC } from "../components/am/ActiveMessageC.ts";
import { AMReceiverC } from "../components/am/AMReceiverC.ts";
import { AMSenderC } from "../components/am/AMSenderC.ts";
import { RadioCountMsg } from "../components/apps/RadioCountMsg.ts";
import { RadioCountToLedsC } from "../components/apps/RadioCountToLedsC.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";
import { TimerMilliC } from "../components/timer/TimerMilliC.ts";

/** RadioCountToLeds: neighbours show each other's counters (RadioCountMsg, AM type 6). */
export const RadioCountToLedsAppC = configuration("RadioCountToLedsAppC", {}, (c) => {
  const app = c.component(RadioCountToLedsC);
  const sender = c.new(AMSenderC, RadioCountMsg.amType);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.AMControl, c.component(ActiveMessageC).SplitControl);
  c.wire(app.Leds, c.component(LedsC).Leds);
  c.wire(app.Receive, c.new(AMReceiverC, RadioCountMsg.amType).Receive);
  c.wire(app.AMSend, sender.AMSend);
  c.wire(app.Packet, sender.Packet);
  c.wire(app.MilliTimer, c.new(TimerMilliC).Timer);
});
