import { command, defineInterface } from "../mote.ts";
import type { Message } from "../message/Message.ts";

/** A packet's payload, independent of the link (TEP 116 `Packet`). */
export const Packet = defineInterface("Packet", {
  commands: {
    /** Clears the header and metadata (not the payload). */
    clear: command<(msg: Message) => void>(),
    payloadLength: command<(msg: Message) => number>("uncombined"),
    setPayloadLength: command<(msg: Message, len: number) => void>(),
    maxPayloadLength: command<() => number>("uncombined"),
    /** `msg.data` if `len` bytes fit in the payload, else null (no allocation either way). */
    getPayload: command<(msg: Message, len: number) => Uint8Array | null>("uncombined"),
  },
});
