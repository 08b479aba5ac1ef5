import { command, defineInterface } from "../../components/mote.ts";

/** Passes a count along a chain of stages (the build benchmark's interface). */
export const Relay = defineInterface("Relay", {
  commands: { pass: command<(hops: number) => number>("uncombined") },
});
