import { configuration } from "../mote.ts";
import { StdControl } from "../interfaces/StdControl.ts";
import { DisseminationEngineP } from "./DisseminationEngineP.ts";

/**
 * Dissemination (TEP 118), as TinyOS's DisseminationC: start it with
 * `StdControl` (once the radio is on, or before: it sends only when running
 * and the radio takes it). The values themselves come from `DisseminatorC`.
 */
export const DisseminationC = configuration("DisseminationC", { provides: { StdControl } }, (c) => {
  c.equate(c.provides.StdControl, c.component(DisseminationEngineP).StdControl);
});
