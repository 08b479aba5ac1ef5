import { genericModule } from "../mote.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Send } from "../interfaces/Send.ts";

/**
 * One client of an AM send queue with a fixed AM type (TinyOS's
 * AMQueueEntryP): `AMSend.send(dest, msg, len)` writes the destination and
 * type into the buffer's header and queues it.
 */
export const AMQueueEntryP = genericModule(
  "AMQueueEntryP",
  (_amId: number) => ({ provides: { AMSend }, uses: { Send, AMPacket } }),
  (c, _host, amId) => ({
    AMSend: {
      send(dest, msg, len) {
        c.AMPacket.setDestination(msg, dest);
        c.AMPacket.setType(msg, amId);
        return c.Send.send(msg, len);
      },
      cancel: (msg) => c.Send.cancel(msg),
      maxPayloadLength: () => c.Send.maxPayloadLength(),
      getPayload: (msg, len) => c.Send.getPayload(msg, len),
    },
    Send: {
      sendDone: (msg, error) => c.AMSend.sendDone(msg, error),
    },
  }),
);
