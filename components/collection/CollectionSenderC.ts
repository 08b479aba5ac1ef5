import { genericConfiguration } from "../mote.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Send } from "../interfaces/Send.ts";
import { CollectionC } from "./CollectionC.ts";
import { CollectionIdP } from "./CollectionIdP.ts";
import { UQ_CTP_CLIENT } from "./Ctp.ts";

/**
 * A collection client that sends with one collection id:
 * `c.new(CollectionSenderC, 0x93)` (TinyOS CollectionSenderC). Each has one
 * slot in the forwarding engine's queue, so `send` is EBUSY only while its
 * own packet is outstanding; `sendDone` says SUCCESS once the first hop
 * acknowledged it (ENOACK after 30 tries).
 */
export const CollectionSenderC = genericConfiguration(
  "CollectionSenderC",
  (_collectId: number) => ({ provides: { Send, Packet } }),
  (c, collectId) => {
    const collection = c.component(CollectionC);
    const client = c.unique(UQ_CTP_CLIENT);
    c.equate(c.provides.Send, collection.Send.at(client));
    c.equate(c.provides.Packet, collection.Packet);
    c.wire(collection.CollectionId.at(client), c.new(CollectionIdP, collectId).CollectionId);
  },
);
