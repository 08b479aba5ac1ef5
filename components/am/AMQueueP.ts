import { configuration, parameterized } from "../mote.ts";
import { Send } from "../interfaces/Send.ts";
import { AMQueueImplP } from "../message/AMQueueImplP.ts";
import { ActiveMessageC } from "./ActiveMessageC.ts";

/** The radio's one send queue, with a slot per AMSenderC (TinyOS's AMQueueP). */
export const AMQueueP = configuration("AMQueueP", { provides: { Send: parameterized(Send) } }, (c) => {
  const queue = c.new(AMQueueImplP, c.uniqueCount("AMQueue.Send"));
  const am = c.component(ActiveMessageC);
  c.equate(c.provides.Send, queue.Send);
  c.wire(queue.AMSend, am.AMSend);
  c.wire(queue.AMPacket, am.AMPacket);
  c.wire(queue.Packet, am.Packet);
});
