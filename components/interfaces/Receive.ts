import { defineInterface, event } from "../mote.ts";
import type { Message } from "../message/Message.ts";

/**
 * Receiving a packet (TEP 116 `Receive`), parameterized by AM type where a
 * stack provides it (`Receive[am_id_t]`). `payload` is `msg.data` and `len`
 * its length. The handler returns a buffer the stack may fill next: `msg`
 * itself when it is done with it, or another free buffer it owns when it
 * keeps `msg` (the TinyOS buffer swap). It must never return null.
 */
export const Receive = defineInterface("Receive", {
  events: {
    receive: event<(msg: Message, payload: Uint8Array, len: number) => Message>("uncombined"),
  },
});
