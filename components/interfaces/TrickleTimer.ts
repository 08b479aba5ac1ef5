import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/**
 * A Trickle timer (Levis et al., NSDI 2004; TinyOS TrickleTimer): `fired`
 * comes once per interval, at a random point in its second half, unless
 * `k` consistent messages were counted with `incrementCounter` during it.
 * Intervals double from the low bound to the high one; `reset` (an
 * inconsistency) goes back to the low bound at once.
 */
export const TrickleTimer = defineInterface("TrickleTimer", {
  commands: {
    start: command<() => ErrorT>(ecombine),
    stop: command<() => void>(),
    reset: command<() => void>(),
    incrementCounter: command<() => void>(),
  },
  events: { fired: event<() => void>() },
});
