import { command, defineInterface } from "../mote.ts";
import type { Message } from "../message/Message.ts";

/**
 * The collection header's fields (TEP 119 `CollectionPacket`): where a
 * packet came from (its origin's node id), the origin's sequence number
 * (u8) and the collection id (u8) it was sent with.
 */
export const CollectionPacket = defineInterface("CollectionPacket", {
  commands: {
    getOrigin: command<(msg: Message) => number>("uncombined"),
    setOrigin: command<(msg: Message, addr: number) => void>(),
    getType: command<(msg: Message) => number>("uncombined"),
    setType: command<(msg: Message, id: number) => void>(),
    getSequenceNumber: command<(msg: Message) => number>("uncombined"),
    setSequenceNumber: command<(msg: Message, seqno: number) => void>(),
  },
});
