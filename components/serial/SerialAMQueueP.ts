import { configuration, parameterized } from "../mote.ts";
import { Send } from "../interfaces/Send.ts";
import { AMQueueImplP } from "../message/AMQueueImplP.ts";
import { SerialActiveMessageC } from "./SerialActiveMessageC.ts";

/** The `unique` key of serial senders: one queue entry each. */
export const UQ_SERIALQUEUE_SEND = "SerialAMQueueP.Send";

/** The one send queue that every SerialAMSenderC shares, on SerialActiveMessageC. */
export const SerialAMQueueP = configuration("SerialAMQueueP", { provides: { Send: parameterized(Send) } }, (c) => {
  const queue = c.new(AMQueueImplP, c.uniqueCount(UQ_SERIALQUEUE_SEND));
  const am = c.component(SerialActiveMessageC);
  c.equate(c.provides.Send, queue.Send);
  c.wire(queue.AMSend, am.AMSend);
  c.wire(queue.AMPacket, am.AMPacket);
  c.wire(queue.Packet, am.Packet);
});
