import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";
import type { Message } from "../message/Message.ts";

/**
 * Sending a packet with no address (TEP 116 `Send`): the layer below picks
 * the destination (a queue entry fills in the AM header, collection picks the
 * parent). `send` returns EBUSY while this client's send is outstanding and
 * ESIZE for a payload over `maxPayloadLength`; a SUCCESS is always followed
 * by exactly one `sendDone` for the same buffer (ECANCEL after `cancel`).
 */
export const Send = defineInterface("Send", {
  commands: {
    send: command<(msg: Message, len: number) => ErrorT>(ecombine),
    cancel: command<(msg: Message) => ErrorT>(ecombine),
    maxPayloadLength: command<() => number>("uncombined"),
    /** `msg.data` if `len` bytes fit in the payload, else null (no allocation either way). */
    getPayload: command<(msg: Message, len: number) => Uint8Array | null>("uncombined"),
  },
  events: {
    sendDone: event<(msg: Message, error: ErrorT) => void>(),
  },
});
