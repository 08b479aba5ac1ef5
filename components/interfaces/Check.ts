import { command, defineInterface } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/**
 * A self-check. Wired to several checks, one `run()` runs them all and
 * `ecombine` merges their results: SUCCESS only if every check succeeded,
 * the shared error if all failed alike, else FAIL.
 */
export const Check = defineInterface("Check", {
  commands: { run: command<() => ErrorT>(ecombine) },
});
