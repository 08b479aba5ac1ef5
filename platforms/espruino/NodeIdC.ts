import { configuration } from "../../components/mote.ts";
import { NodeId } from "../../components/interfaces/NodeId.ts";
import { EspruinoNodeIdP } from "./EspruinoNodeIdP.ts";

export const NodeIdC = configuration("NodeIdC", { provides: { NodeId } }, (c) => {
  c.equate(c.provides.NodeId, c.component(EspruinoNodeIdP).NodeId);
});
