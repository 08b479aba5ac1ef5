import { configuration } from "../../components/mote.ts";
import { Init } from "../../components/interfaces/Init.ts";
import { EspruinoPlatformP } from "./EspruinoPlatformP.ts";

export const PlatformC = configuration("PlatformC", { provides: { Init } }, (c) => {
  c.equate(c.provides.Init, c.component(EspruinoPlatformP).Init);
});
