import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";
import type { Message } from "../message/Message.ts";

/**
 * The platform's radio link, below Active Messages: it sends a whole frame
 * (the message's header and `length` payload bytes) and receives frames,
 * with the MAC (carrier sense, backoff, link-layer acknowledgements) done by
 * the platform. `receive` hands the buffer to the upper layer, which returns
 * a free buffer for the next frame (TinyOS buffer swap).
 */
export const PacketLink = defineInterface("PacketLink", {
  commands: {
    /** Sends `msg` (its header says length and destination); EBUSY while a send is outstanding. */
    send: command<(msg: Message, wantAck: boolean) => ErrorT>(ecombine),
    /** Cancels the outstanding send: sendDone(ECANCEL) follows unless it is already on the air. */
    cancel: command<(msg: Message) => ErrorT>(ecombine),
  },
  events: {
    /** `acked` is whether the destination acknowledged (false for broadcast or no ack wanted). */
    sendDone: event<(msg: Message, error: ErrorT, acked: boolean) => void>(),
    receive: event<(msg: Message) => Message>("uncombined"),
  },
});
