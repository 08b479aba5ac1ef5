import { command, defineInterface } from "../mote.ts";

/** This mote's id (TOS_NODE_ID), set at build, flash or simulation time. */
export const NodeId = defineInterface("NodeId", {
  commands: { get: command<() => number>("uncombined") },
});
