import { configuration, parameterized } from "../mote.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Get } from "../interfaces/Get.ts";
import { Packet } from "../interfaces/Packet.ts";
import { PacketAcknowledgements } from "../interfaces/PacketAcknowledgements.ts";
import { Receive } from "../interfaces/Receive.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { PlatformUartC } from "#platform";
import { SerialActiveMessageP } from "./SerialActiveMessageP.ts";
import { SerialP } from "./SerialP.ts";

/**
 * Active Messages over the serial port (TinyOS's SerialActiveMessageC):
 * `AMSend[am_id_t]` and `Receive[am_id_t]` for every AM type, the Packet and
 * AMPacket accessors, and SplitControl to turn it on. The TEP 113 framing
 * (SerialP) runs on the platform's UART byte stream (PlatformUartC).
 * Applications use `SerialAMSenderC(amType)` and `SerialAMReceiverC(amType)`.
 * `DropCount[reason]` reads how many frames the mote's deframer dropped for
 * each reason (DROP_* in SerialProtocol.ts).
 */
export const SerialActiveMessageC = configuration(
  "SerialActiveMessageC",
  {
    provides: {
      SplitControl,
      AMSend: parameterized(AMSend),
      Receive: parameterized(Receive),
      Packet,
      AMPacket,
      PacketAcknowledgements,
      DropCount: parameterized(Get),
    },
  },
  (c) => {
    const am = c.component(SerialActiveMessageP);
    const serial = c.component(SerialP);
    c.equate(c.provides.SplitControl, serial.SplitControl);
    c.equate(c.provides.AMSend, am.AMSend);
    c.equate(c.provides.Receive, am.Receive);
    c.equate(c.provides.Packet, am.Packet);
    c.equate(c.provides.AMPacket, am.AMPacket);
    c.equate(c.provides.PacketAcknowledgements, am.PacketAcknowledgements);
    c.equate(c.provides.DropCount, serial.DropCount);
    c.wire(am.PacketLink, serial.PacketLink);
    c.wire(serial.UartStream, c.component(PlatformUartC).UartStream);
  },
);
