import { command, defineInterface } from "../mote.ts";

/** The image's entry point: the build calls `boot()` once the mote is wired. */
export const Main = defineInterface("Main", {
  commands: { boot: command<() => void>() },
});
