import { configuration } from "../../components/mote.ts";
import { Debug } from "../../components/interfaces/Debug.ts";
import { ModdableDebugP } from "./ModdableDebugP.ts";

export const DebugC = configuration("DebugC", { provides: { Debug } }, (c) => {
  c.equate(c.provides.Debug, c.component(ModdableDebugP).Debug);
});
