import { command, defineInterface, event } from "../mote.ts";

/**
 * Between a dissemination engine and one disseminated value (TinyOS
 * `DisseminationCache`, without pointers): the value's key, its version
 * (`seqno`, 0 while unknown) and its bytes, read into and written from a
 * packet at an offset. `newData` says a local `change` made a newer version.
 */
export const DisseminationCache = defineInterface("DisseminationCache", {
  commands: {
    key: command<() => number>("uncombined"),
    requestSeqno: command<() => number>("uncombined"),
    /** Writes the value's bytes into `buf` at `offset`; returns how many (never more than `max`). */
    requestData: command<(buf: Uint8Array, offset: number, max: number) => number>("uncombined"),
    /** Takes `len` bytes at `offset` as the value with version `seqno`, and signals `changed` to its users. */
    storeData: command<(buf: Uint8Array, offset: number, len: number, seqno: number) => void>(),
  },
  events: {
    newData: event<() => void>(),
  },
});
