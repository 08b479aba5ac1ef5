import { configuration } from "../mote.ts";
import { Leds } from "../interfaces/Leds.ts";
import { PlatformLedsC } from "#platform";

/**
 * The mote's three LEDs. Each platform says how: over three GeneralIO pins
 * (LedsP) on boards, or straight to the host on host-driven platforms.
 */
export const LedsC = configuration("LedsC", { provides: { Leds } }, (c) => {
  c.equate(c.provides.Leds, c.component(PlatformLedsC).Leds);
});
