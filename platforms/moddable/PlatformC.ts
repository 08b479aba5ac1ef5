import { configuration } from "../../components/mote.ts";
import { Init } from "../../components/interfaces/Init.ts";
import { ModdablePlatformP } from "./ModdablePlatformP.ts";

export const PlatformC = configuration("PlatformC", { provides: { Init } }, (c) => {
  c.equate(c.provides.Init, c.component(ModdablePlatformP).Init);
});
