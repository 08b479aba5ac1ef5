import { defineInterface, event } from "../mote.ts";
import { allTrue } from "../TinyError.ts";
import type { Message } from "../message/Message.ts";

/**
 * A packet passing through this node on its way to a collection root (TEP
 * 119 `Intercept`), parameterized by collection id. `payload` is the
 * application payload (after the collection header) and `len` its length.
 * Returning false stops the packet here (an aggregator may have absorbed
 * it); true forwards it. The buffer stays the collection layer's.
 */
export const Intercept = defineInterface("Intercept", {
  events: {
    forward: event<(msg: Message, payload: Uint8Array, len: number) => boolean>(allTrue),
  },
});
