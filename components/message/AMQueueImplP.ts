import { genericModule, parameterized } from "../mote.ts";
import { EBUSY, ECANCEL, ESIZE, FAIL, SUCCESS } from "../TinyError.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Send } from "../interfaces/Send.ts";
import type { Message } from "./Message.ts";

/**
 * The send queue under every `*AMSenderC` (TinyOS's AMQueueImplP): each of
 * `numClients` clients may have one packet queued; packets go to the AM
 * layer one at a time, clients served round-robin. The header (type,
 * destination, length) is already in each buffer, so the queue stores only
 * the buffer. A client's `send` fails with EBUSY while its packet is queued
 * and ESIZE when the payload is too long; `cancel` of a packet still in the
 * queue is SUCCESS and `sendDone(ECANCEL)` follows from a task; cancelling
 * the one being sent is the AM layer's `cancel`.
 */
export const AMQueueImplP = genericModule(
  "AMQueueImplP",
  (numClients: number) => ({
    provides: { Send: parameterized(Send, numClients) },
    uses: { AMSend: parameterized(AMSend, 256), AMPacket, Packet },
    tasks: ["cancelTask", "errorTask"],
  }),
  (c, _host, numClients) => {
    const n = numClients;
    const queue: (Message | null)[] = [];
    for (let i = 0; i < n; i++) queue.push(null);
    const cancelled = new Uint8Array(n || 1);
    /** The client being sent, or n when the queue is idle. */
    let current = n;

    const nextPacket = () => {
      current = (current + 1) % n;
      let i = 0;
      for (; i < n; i++) {
        if (queue[current] === null || cancelled[current]) current = (current + 1) % n;
        else break;
      }
      if (i >= n) current = n;
    };

    const tryToSend = () => {
      nextPacket();
      if (current < n) {
        const msg = queue[current]!;
        if (c.AMSend.send(c.AMPacket.type(msg), c.AMPacket.destination(msg), msg, c.Packet.payloadLength(msg)) !== SUCCESS) {
          c.post.errorTask();
        }
      }
    };

    const sendDone = (last: number, msg: Message, error: number) => {
      queue[last] = null;
      tryToSend();
      c.Send.sendDone(last, msg, error);
    };

    return {
      Send: {
        send(client, msg, len) {
          if (client >= n) return FAIL;
          if (queue[client] !== null) return EBUSY;
          if (len > c.Packet.maxPayloadLength()) return ESIZE;
          queue[client] = msg;
          c.Packet.setPayloadLength(msg, len);
          if (current >= n) {
            current = client;
            const error = c.AMSend.send(c.AMPacket.type(msg), c.AMPacket.destination(msg), msg, len);
            if (error !== SUCCESS) {
              current = n;
              queue[client] = null;
            }
            return error;
          }
          return SUCCESS;
        },
        cancel(client, msg) {
          if (client >= n || queue[client] === null || queue[client] !== msg) return FAIL;
          if (current === client) return c.AMSend.cancel(c.AMPacket.type(msg), msg);
          cancelled[client] = 1;
          c.post.cancelTask();
          return SUCCESS;
        },
        maxPayloadLength: () => c.Packet.maxPayloadLength(),
        getPayload: (_client, msg, len) => c.Packet.getPayload(msg, len),
      },
      AMSend: {
        sendDone(_id, msg, error) {
          if (current < n && queue[current] === msg) sendDone(current, msg, error);
        },
      },
      tasks: {
        cancelTask() {
          for (let i = 0; i < n; i++) {
            if (cancelled[i]) {
              const msg = queue[i]!;
              queue[i] = null;
              cancelled[i] = 0;
              c.Send.sendDone(i, msg, ECANCEL);
            }
          }
        },
        errorTask() {
          if (current < n) sendDone(current, queue[current]!, FAIL);
        },
      },
    };
  },
);
