import { configuration } from "../components/mote.ts";
import { TestSerialC } from "../components/apps/TestSerialC.ts";
import { TestSerialMsg } from "../components/apps/TestSerialMsg.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";
import { SerialActiveMessageC } from "../components/serial/SerialActiveMessageC.ts";
import { SerialAMReceiverC } from "../components/serial/SerialAMReceiverC.ts";
import { SerialAMSenderC } from "../components/serial/SerialAMSenderC.ts";
import { TimerMilliC } from "../components/timer/TimerMilliC.ts";

/**
 * TinyOS's TestSerialAppC: TestSerialMsg (`{ nx_uint16_t counter }`, AM type
 * 0x89) to the PC once a second, and the PC's counters on the LEDs.
 */
export const TestSerialAppC = configuration("TestSerialAppC", {}, (c) => {
  const app = c.component(TestSerialC);
  const sender = c.new(SerialAMSenderC, TestSerialMsg.amType);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.Control, c.component(SerialActiveMessageC).SplitControl);
  c.wire(app.Receive, c.new(SerialAMReceiverC, TestSerialMsg.amType).Receive);
  c.wire(app.AMSend, sender.AMSend);
  c.wire(app.Packet, sender.Packet);
  c.wire(app.MilliTimer, c.new(TimerMilliC).Timer);
  c.wire(app.Leds, c.component(LedsC).Leds);
});
