import { defineInterface, event } from "../mote.ts";
import { allTrue } from "../TinyError.ts";
import type { Message } from "../message/Message.ts";

/**
 * The 4-bit estimator's "compare bit" (TinyOS `CompareBit`): with its
 * neighbour table full, the link estimator asks the routing layer whether
 * the sender of this beacon is worth making room for (its route beats some
 * neighbour's in the table). `payload` is the routing beacon, `len` its length.
 */
export const CompareBit = defineInterface("CompareBit", {
  events: {
    shouldInsert: event<(msg: Message, payload: Uint8Array, len: number) => boolean>(allTrue),
  },
});
