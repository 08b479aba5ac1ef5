import { genericConfiguration } from "../mote.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Receive } from "../interfaces/Receive.ts";
import { SerialActiveMessageC } from "./SerialActiveMessageC.ts";

/** Receives one AM type from serial: `c.new(SerialAMReceiverC, TestSerialMsg.amType)`. */
export const SerialAMReceiverC = genericConfiguration(
  "SerialAMReceiverC",
  (_amType: number) => ({ provides: { Receive, Packet, AMPacket } }),
  (c, amType) => {
    const am = c.component(SerialActiveMessageC);
    c.equate(c.provides.Receive, am.Receive.at(amType));
    c.equate(c.provides.Packet, am.Packet);
    c.equate(c.provides.AMPacket, am.AMPacket);
  },
);
