import { configuration, parameterized } from "../mote.ts";
import { CollectionDebug } from "../interfaces/CollectionDebug.ts";
import { CollectionId } from "../interfaces/CollectionId.ts";
import { CollectionPacket } from "../interfaces/CollectionPacket.ts";
import { CtpInfo } from "../interfaces/CtpInfo.ts";
import { Intercept } from "../interfaces/Intercept.ts";
import { LinkEstimator } from "../interfaces/LinkEstimator.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Receive } from "../interfaces/Receive.ts";
import { RootControl } from "../interfaces/RootControl.ts";
import { Send } from "../interfaces/Send.ts";
import { StdControl } from "../interfaces/StdControl.ts";
import { CtpP } from "./CtpP.ts";

/**
 * Tree collection (TEP 119), as TinyOS's CollectionC: the Collection Tree
 * Protocol (TEP 123). Start it with `StdControl` (with the radio on, through
 * ActiveMessageC's SplitControl); make a node a root with `RootControl`.
 * Clients send with `CollectionSenderC(collectId)`; roots get the packets on
 * `Receive[collectId]`, nodes on the way may `Intercept[collectId]` them, and
 * neighbours overhear them on `Snoop[collectId]`. `CtpInfo` tells the parent
 * and path ETX; `CollectionDebug`, if wired, gets the layer's numbered events.
 */
export const CollectionC = configuration(
  "CollectionC",
  {
    provides: {
      StdControl,
      Send: parameterized(Send),
      Receive: parameterized(Receive),
      Snoop: parameterized(Receive),
      Intercept: parameterized(Intercept),
      Packet,
      CollectionPacket,
      RootControl,
      CtpInfo,
      LinkEstimator,
    },
    uses: { CollectionId: parameterized(CollectionId), CollectionDebug },
  },
  (c) => {
    const ctp = c.component(CtpP);
    c.equate(c.provides.StdControl, ctp.StdControl);
    c.equate(c.provides.Send, ctp.Send);
    c.equate(c.provides.Receive, ctp.Receive);
    c.equate(c.provides.Snoop, ctp.Snoop);
    c.equate(c.provides.Intercept, ctp.Intercept);
    c.equate(c.provides.Packet, ctp.Packet);
    c.equate(c.provides.CollectionPacket, ctp.CollectionPacket);
    c.equate(c.provides.RootControl, ctp.RootControl);
    c.equate(c.provides.CtpInfo, ctp.CtpInfo);
    c.equate(c.provides.LinkEstimator, ctp.LinkEstimator);
    c.equate(c.uses.CollectionId, ctp.CollectionId);
    c.equate(c.uses.CollectionDebug, ctp.CollectionDebug);
  },
);
