import { configuration } from "../../components/mote.ts";
import { Debug } from "../../components/interfaces/Debug.ts";
import { SimDebugP } from "./SimDebugP.ts";

export const DebugC = configuration("DebugC", { provides: { Debug } }, (c) => {
  c.equate(c.provides.Debug, c.component(SimDebugP).Debug);
});
