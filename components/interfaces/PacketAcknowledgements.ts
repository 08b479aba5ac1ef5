import { command, defineInterface } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";
import type { Message } from "../message/Message.ts";

/**
 * Link-layer acknowledgements (TEP 116 `PacketAcknowledgements`): ask for one
 * before sending; after `sendDone`, `wasAcked` tells whether it came. A link
 * without acknowledgements (the serial line toward the PC) refuses
 * `requestAck` with FAIL and never reports an ack.
 */
export const PacketAcknowledgements = defineInterface("PacketAcknowledgements", {
  commands: {
    requestAck: command<(msg: Message) => ErrorT>(ecombine),
    noAck: command<(msg: Message) => ErrorT>(ecombine),
    wasAcked: command<(msg: Message) => boolean>("uncombined"),
  },
});
