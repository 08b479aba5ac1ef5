import { configuration, parameterized } from "../mote.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Packet } from "../interfaces/Packet.ts";
import { PacketAcknowledgements } from "../interfaces/PacketAcknowledgements.ts";
import { Receive } from "../interfaces/Receive.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { NodeIdC, PlatformRadioC } from "#platform";
import { ActiveMessageP } from "./ActiveMessageP.ts";

/**
 * Active Messages on the radio (TEP 116). Applications usually take
 * `AMSenderC`/`AMReceiverC` instead, and this for `SplitControl` (radio on/off).
 */
export const ActiveMessageC = configuration(
  "ActiveMessageC",
  {
    provides: {
      SplitControl,
      AMSend: parameterized(AMSend),
      Receive: parameterized(Receive),
      Snoop: parameterized(Receive),
      Packet,
      AMPacket,
      PacketAcknowledgements,
    },
  },
  (c) => {
    const am = c.component(ActiveMessageP);
    const radio = c.component(PlatformRadioC);
    // Radio on and off is the radio's own business: no layer in between.
    c.equate(c.provides.SplitControl, radio.SplitControl);
    c.equate(c.provides.AMSend, am.AMSend);
    c.equate(c.provides.Receive, am.Receive);
    c.equate(c.provides.Snoop, am.Snoop);
    c.equate(c.provides.Packet, am.Packet);
    c.equate(c.provides.AMPacket, am.AMPacket);
    c.equate(c.provides.PacketAcknowledgements, am.PacketAcknowledgements);
    c.wire(am.PacketLink, radio.PacketLink);
    c.wire(am.NodeId, c.component(NodeIdC).NodeId);
  },
);
