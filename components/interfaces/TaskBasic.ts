import { command, defineInterface, event } from "../mote.ts";

/**
 * A task as the scheduler sees it (TEP 106). The build wires every task a
 * module declares to the scheduler through this interface.
 */
export const TaskBasic = defineInterface("TaskBasic", {
  commands: { postTask: command<() => boolean>("uncombined") },
  events: { runTask: event<() => void>() },
});
