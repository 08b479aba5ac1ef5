import { command, defineInterface } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/**
 * Makes this node a root of a collection tree, or not (TEP 119
 * `RootControl`). A root's path ETX is 0 and its parent is itself; packets
 * reaching it are signalled on `Receive` instead of being forwarded.
 */
export const RootControl = defineInterface("RootControl", {
  commands: {
    setRoot: command<() => ErrorT>(ecombine),
    unsetRoot: command<() => ErrorT>(ecombine),
    isRoot: command<() => boolean>("uncombined"),
  },
});
