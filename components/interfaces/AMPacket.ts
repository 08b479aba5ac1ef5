import { command, defineInterface } from "../mote.ts";
import type { Message } from "../message/Message.ts";

/**
 * Active Message header fields (TEP 116 `AMPacket`): addresses are
 * `am_addr_t` (u16), types `am_id_t` (u8), groups `am_group_t` (u8).
 */
export const AMPacket = defineInterface("AMPacket", {
  commands: {
    /** This node's AM address on this link. */
    address: command<() => number>("uncombined"),
    destination: command<(msg: Message) => number>("uncombined"),
    source: command<(msg: Message) => number>("uncombined"),
    setDestination: command<(msg: Message, addr: number) => void>(),
    setSource: command<(msg: Message, addr: number) => void>(),
    /** Whether the packet is addressed to this node (or broadcast). */
    isForMe: command<(msg: Message) => boolean>("uncombined"),
    type: command<(msg: Message) => number>("uncombined"),
    setType: command<(msg: Message, type: number) => void>(),
    group: command<(msg: Message) => number>("uncombined"),
    setGroup: command<(msg: Message, group: number) => void>(),
    /** This node's AM group. */
    localGroup: command<() => number>("uncombined"),
  },
});
