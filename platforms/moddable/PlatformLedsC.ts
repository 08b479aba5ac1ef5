import { configuration } from "../../components/mote.ts";
import { Leds } from "../../components/interfaces/Leds.ts";
import { ModdableLedsP } from "./ModdableLedsP.ts";

export const PlatformLedsC = configuration("PlatformLedsC", { provides: { Leds } }, (c) => {
  c.equate(c.provides.Leds, c.component(ModdableLedsP).Leds);
});
