import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";
import type { Message } from "../message/Message.ts";

/**
 * Sending an Active Message to an address (TEP 116 `AMSend`). Providers are
 * parameterized by AM type (`AMSend[am_id_t]`: `parameterized(AMSend, 256)`);
 * `AMSenderC`-style generic components give each user one type.
 *
 * `send(addr, msg, len)`: EBUSY while a send is outstanding, ESIZE when
 * `len > maxPayloadLength()`; SUCCESS means exactly one `sendDone(msg, error)`
 * follows. `cancel(msg)`: SUCCESS means `sendDone(msg, ECANCEL)` follows;
 * FAIL means it is too late (the packet is already on its way).
 */
export const AMSend = defineInterface("AMSend", {
  commands: {
    send: command<(addr: number, msg: Message, len: number) => ErrorT>(ecombine),
    cancel: command<(msg: Message) => ErrorT>(ecombine),
    maxPayloadLength: command<() => number>("uncombined"),
    /** `msg.data` if `len` bytes fit in the payload, else null (no allocation either way). */
    getPayload: command<(msg: Message, len: number) => Uint8Array | null>("uncombined"),
  },
  events: {
    sendDone: event<(msg: Message, error: ErrorT) => void>(),
  },
});
