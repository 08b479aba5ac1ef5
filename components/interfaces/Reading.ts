import { defineInterface, event } from "../mote.ts";
import type { ErrorT } from "../TinyError.ts";

/** A sensor reading is ready (or failed: `error` is not SUCCESS and `value` is 0). */
export const Reading = defineInterface("Reading", {
  events: { ready: event<(error: ErrorT, value: number) => void>() },
});
