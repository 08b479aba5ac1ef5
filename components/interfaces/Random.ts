import { command, defineInterface } from "../mote.ts";

/** Pseudo-random numbers (TinyOS Random). */
export const Random = defineInterface("Random", {
  commands: {
    rand16: command<() => number>("uncombined"),
    rand32: command<() => number>("uncombined"),
  },
});
