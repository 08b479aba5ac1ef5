import { module } from "../../components/mote.ts";
import { NodeId } from "../../components/interfaces/NodeId.ts";
import type { MoteHost } from "./MoteHost.ts";

/** The node id the host assigned this mote. */
export const SimNodeIdP = module("SimNodeIdP", { provides: { NodeId } }, (_c, host) => {
  const hal = host as MoteHost;
  return { NodeId: { get: () => hal.nodeId } };
});
