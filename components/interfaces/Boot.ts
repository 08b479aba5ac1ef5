import { defineInterface, event } from "../mote.ts";

/** Signalled once the mote has initialized (TEP 107). */
export const Boot = defineInterface("Boot", {
  events: { booted: event<() => void>() },
});
