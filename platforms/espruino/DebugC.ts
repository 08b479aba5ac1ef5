import { configuration } from "../../components/mote.ts";
import { Debug } from "../../components/interfaces/Debug.ts";
import { EspruinoDebugP } from "./EspruinoDebugP.ts";

export const DebugC = configuration("DebugC", { provides: { Debug } }, (c) => {
  c.equate(c.provides.Debug, c.component(EspruinoDebugP).Debug);
});
