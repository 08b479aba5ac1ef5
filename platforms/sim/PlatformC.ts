import { configuration } from "../../components/mote.ts";
import { Init } from "../../components/interfaces/Init.ts";
import { SimPlatformP } from "./SimPlatformP.ts";

export const PlatformC = configuration("PlatformC", { provides: { Init } }, (c) => {
  c.equate(c.provides.Init, c.component(SimPlatformP).Init);
});
