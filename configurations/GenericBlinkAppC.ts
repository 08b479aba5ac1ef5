import { configuration } from "../components/mote.ts";
import { PeriodicToggleC } from "../components/apps/PeriodicToggleC.ts";

/**
 * Generic components: one blinker definition, two instances with their own
 * arguments and state. LED 1 toggles every 300 ms, LED 2 every 500 ms.
 */
export const GenericBlinkAppC = configuration("GenericBlinkAppC", {}, (c) => {
  c.new(PeriodicToggleC, 300, 1);
  c.new(PeriodicToggleC, 500, 2);
});
