import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/** Split-phase power control (TEP 115): start/stop now, startDone/stopDone later. */
export const SplitControl = defineInterface("SplitControl", {
  commands: {
    start: command<() => ErrorT>(ecombine),
    stop: command<() => ErrorT>(ecombine),
  },
  events: {
    startDone: event<(error: ErrorT) => void>(),
    stopDone: event<(error: ErrorT) => void>(),
  },
});
