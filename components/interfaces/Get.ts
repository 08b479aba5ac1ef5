import { command, defineInterface } from "../mote.ts";

/** Reads a number at once (TinyOS's Get<val_t>, for numeric values): no split phase, no error. */
export const Get = defineInterface("Get", {
  commands: { get: command<() => number>("uncombined") },
});
