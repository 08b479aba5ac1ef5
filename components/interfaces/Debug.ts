import { command, defineInterface } from "../mote.ts";

/**
 * Named debug channels, as TinyOS's `dbg(channel, format, ...)`. The
 * simulator records them; board platforms compile them to nothing.
 */
export const Debug = defineInterface("Debug", {
  commands: { dbg: command<(channel: string, message: string) => void>() },
});
