import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/** Split-phase sensor read (TEP 114): `read()`, later `readDone(error, value)`. */
export const Read = <T>() =>
  defineInterface("Read", {
    commands: { read: command<() => ErrorT>(ecombine) },
    events: { readDone: event<(error: ErrorT, value: T) => void>() },
  });
