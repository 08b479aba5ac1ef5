import { genericConfiguration } from "../mote.ts";
import { DisseminationUpdate } from "../interfaces/DisseminationUpdate.ts";
import { DisseminationValue } from "../interfaces/DisseminationValue.ts";
import { NodeIdC } from "#platform";
import { DISSEMINATION_TAU_HIGH, DISSEMINATION_TAU_LOW, UQ_DISSEMINATOR } from "./Dissemination.ts";
import { DisseminationEngineP } from "./DisseminationEngineP.ts";
import { DisseminatorP } from "./DisseminatorP.ts";
import { TrickleTimerMilliC } from "./TrickleTimerMilliC.ts";

/**
 * One value kept consistent across the network, newest version winning
 * (TinyOS `DisseminatorC(t, key)`): `c.new(DisseminatorC, size, key)` for an
 * unsigned number of `size` bytes (1, 2 or 4) under a 16-bit `key` that
 * every node uses for the same value. Users read it with
 * `DisseminationValue<number>` and change it everywhere with
 * `DisseminationUpdate<number>`; DisseminationC's StdControl starts it.
 */
export const DisseminatorC = genericConfiguration(
  "DisseminatorC",
  (_size: number, _key: number) => ({
    provides: { DisseminationValue: DisseminationValue<number>(), DisseminationUpdate: DisseminationUpdate<number>() },
  }),
  (c, size, key) => {
    const value = c.new(DisseminatorP, size, key);
    const engine = c.component(DisseminationEngineP);
    const index = c.unique(UQ_DISSEMINATOR);
    c.equate(c.provides.DisseminationValue, value.DisseminationValue);
    c.equate(c.provides.DisseminationUpdate, value.DisseminationUpdate);
    c.wire(engine.Cache.at(index), value.DisseminationCache);
    c.wire(engine.TrickleTimer.at(index), c.new(TrickleTimerMilliC, DISSEMINATION_TAU_LOW, DISSEMINATION_TAU_HIGH, 1).TrickleTimer);
    c.wire(value.NodeId, c.component(NodeIdC).NodeId);
  },
);
