import { defineInterface, event } from "../mote.ts";
import type { ErrorT } from "../TinyError.ts";

/** The outcome of a named suite of checks; every wired handler hears it. */
export const Verdict = defineInterface("Verdict", {
  events: { decided: event<(suite: string, result: ErrorT) => void>() },
});
