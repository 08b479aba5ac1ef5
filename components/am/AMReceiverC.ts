import { genericConfiguration } from "../mote.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Receive } from "../interfaces/Receive.ts";
import { ActiveMessageC } from "./ActiveMessageC.ts";

/** Radio packets of one AM type addressed to this node (or broadcast): `c.new(AMReceiverC, 6)`. */
export const AMReceiverC = genericConfiguration(
  "AMReceiverC",
  (_amType: number) => ({ provides: { Receive, Packet, AMPacket } }),
  (c, amType) => {
    const am = c.component(ActiveMessageC);
    c.equate(c.provides.Receive, am.Receive.at(amType));
    c.equate(c.provides.Packet, am.Packet);
    c.equate(c.provides.AMPacket, am.AMPacket);
  },
);
