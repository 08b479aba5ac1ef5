import { genericConfiguration } from "../mote.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Packet } from "../interfaces/Packet.ts";
import { PacketAcknowledgements } from "../interfaces/PacketAcknowledgements.ts";
import { AMQueueEntryP } from "../message/AMQueueEntryP.ts";
import { SerialActiveMessageC } from "./SerialActiveMessageC.ts";
import { SerialAMQueueP, UQ_SERIALQUEUE_SEND } from "./SerialAMQueueP.ts";

/**
 * Sends one AM type over serial: `c.new(SerialAMSenderC, TestSerialMsg.amType)`.
 * Each instance has one slot in the shared queue (so two senders never get
 * EBUSY from each other, only from their own outstanding packet).
 */
export const SerialAMSenderC = genericConfiguration(
  "SerialAMSenderC",
  (_amType: number) => ({ provides: { AMSend, Packet, AMPacket, Acks: PacketAcknowledgements } }),
  (c, amType) => {
    const entry = c.new(AMQueueEntryP, amType);
    const am = c.component(SerialActiveMessageC);
    c.wire(entry.Send, c.component(SerialAMQueueP).Send.at(c.unique(UQ_SERIALQUEUE_SEND)));
    c.wire(entry.AMPacket, am.AMPacket);
    c.equate(c.provides.AMSend, entry.AMSend);
    c.equate(c.provides.Packet, am.Packet);
    c.equate(c.provides.AMPacket, am.AMPacket);
    c.equate(c.provides.Acks, am.PacketAcknowledgements);
  },
);
