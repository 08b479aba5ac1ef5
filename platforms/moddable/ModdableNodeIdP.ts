import { module } from "../../components/mote.ts";
import { NodeId } from "../../components/interfaces/NodeId.ts";
import type { MoteConfig } from "./ModdableApi.ts";

declare const moteConfig: MoteConfig;

/**
 * TOS_NODE_ID from `moteConfig.nodeId`: the project's manifest config
 * `moteNodeId`, which `mcconfig ... moteNodeId=7` overrides at flash time.
 */
export const ModdableNodeIdP = module("ModdableNodeIdP", { provides: { NodeId } }, () => {
  const id = moteConfig.nodeId & 0xffff;
  return { NodeId: { get: () => id } };
});
