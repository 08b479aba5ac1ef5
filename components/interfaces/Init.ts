import { command, defineInterface } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/** Synchronous initialization, called in wiring order at boot (TEP 107). */
export const Init = defineInterface("Init", {
  commands: { init: command<() => ErrorT>(ecombine) },
});
