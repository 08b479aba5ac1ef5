import { genericConfiguration } from "../mote.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Packet } from "../interfaces/Packet.ts";
import { PacketAcknowledgements } from "../interfaces/PacketAcknowledgements.ts";
import { AMQueueEntryP } from "../message/AMQueueEntryP.ts";
import { ActiveMessageC } from "./ActiveMessageC.ts";
import { AMQueueP } from "./AMQueueP.ts";

/**
 * A radio sender of one AM type: `c.new(AMSenderC, 6)`. Senders share the
 * radio round-robin through AMQueueP, one packet queued each.
 */
export const AMSenderC = genericConfiguration(
  "AMSenderC",
  (_amType: number) => ({ provides: { AMSend, Packet, AMPacket, Acks: PacketAcknowledgements } }),
  (c, amType) => {
    const entry = c.new(AMQueueEntryP, amType);
    const am = c.component(ActiveMessageC);
    c.equate(c.provides.AMSend, entry.AMSend);
    c.wire(entry.Send, c.component(AMQueueP).Send.at(c.unique("AMQueue.Send")));
    c.wire(entry.AMPacket, am.AMPacket);
    c.equate(c.provides.Packet, am.Packet);
    c.equate(c.provides.AMPacket, am.AMPacket);
    c.equate(c.provides.Acks, am.PacketAcknowledgements);
  },
);
