import { command, defineInterface } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/** Single-phase start/stop (TEP 115 `StdControl`): the service runs, or not, once the call returns. */
export const StdControl = defineInterface("StdControl", {
  commands: {
    start: command<() => ErrorT>(ecombine),
    stop: command<() => ErrorT>(ecombine),
  },
});
