import { configuration } from "../mote.ts";
import { Random } from "../interfaces/Random.ts";
import { NodeIdC } from "#platform";
import { MainC } from "../kernel/MainC.ts";
import { RandomMlcgC } from "./RandomMlcgC.ts";

/** Pseudo-random numbers, seeded per mote. */
export const RandomC = configuration("RandomC", { provides: { Random } }, (c) => {
  const random = c.component(RandomMlcgC);
  c.equate(c.provides.Random, random.Random);
  c.wire(random.NodeId, c.component(NodeIdC).NodeId);
  c.wire(c.component(MainC).SoftwareInit, random.Init);
});
