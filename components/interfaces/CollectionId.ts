import { command, defineInterface } from "../mote.ts";

/** The collection id (collection_id_t, u8) a collection sender client sends with (TinyOS `CollectionId`). */
export const CollectionId = defineInterface("CollectionId", {
  commands: { fetch: command<() => number>("uncombined") },
});
