import { configuration } from "../../components/mote.ts";
import { NodeId } from "../../components/interfaces/NodeId.ts";
import { ModdableNodeIdP } from "./ModdableNodeIdP.ts";

export const NodeIdC = configuration("NodeIdC", { provides: { NodeId } }, (c) => {
  c.equate(c.provides.NodeId, c.component(ModdableNodeIdP).NodeId);
});
