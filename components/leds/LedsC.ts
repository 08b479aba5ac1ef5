import { configuration } from "../mote.ts";
import { Leds } from "../interfaces/Leds.ts";
import { PlatformLedsC } from "#platform";
import { MainC } from "../kernel/MainC.ts";
import { LedsP } from "./LedsP.ts";

/** The mote's three LEDs. */
export const LedsC = configuration("LedsC", { provides: { Leds } }, (c) => {
  const leds = c.component(LedsP);
  const pins = c.component(PlatformLedsC);
  const main = c.component(MainC);
  c.equate(c.provides.Leds, leds.Leds);
  c.wire(leds.Led0, pins.Led0);
  c.wire(leds.Led1, pins.Led1);
  c.wire(leds.Led2, pins.Led2);
  c.wire(main.SoftwareInit, leds.Init);
});
