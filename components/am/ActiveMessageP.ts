import { module, parameterized } from "../mote.ts";
import { EBUSY, ESIZE, FAIL, SUCCESS } from "../TinyError.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { NodeId } from "../interfaces/NodeId.ts";
import { Packet } from "../interfaces/Packet.ts";
import { PacketAcknowledgements } from "../interfaces/PacketAcknowledgements.ts";
import { PacketLink } from "../interfaces/PacketLink.ts";
import { Receive } from "../interfaces/Receive.ts";
import {
  ACKED,
  AM_BROADCAST_ADDR,
  DEST,
  FLAGS,
  getU16,
  GROUP,
  LENGTH,
  type Message,
  setU16,
  SRC,
  TOS_AM_GROUP,
  TOSH_DATA_LENGTH,
  TYPE,
} from "../message/Message.ts";

/** Metadata flag: the sender asked for a link-layer acknowledgement. */
const ACK_REQUESTED = 1;

/**
 * Active Messages on the platform's radio link (TinyOS's ActiveMessageC for
 * a radio): one packet on the air at a time (EBUSY otherwise), the header
 * filled in from the node id and group 0x22, packets for this node (or
 * broadcast) dispatched by AM type to `Receive`, the others to `Snoop`, and
 * link-layer acknowledgements when the sender asks for them. Types nobody
 * listens to are handed straight back (the defaults).
 */
export const ActiveMessageP = module(
  "ActiveMessageP",
  {
    provides: {
      AMSend: parameterized(AMSend, 256),
      Receive: parameterized(Receive, 256),
      Snoop: parameterized(Receive, 256),
      Packet,
      AMPacket,
      PacketAcknowledgements,
    },
    uses: { PacketLink, NodeId },
    defaults: ["AMSend", "Receive", "Snoop"],
  },
  (c) => {
    let sending: Message | null = null;
    const isForMe = (msg: Message) => {
      const dest = getU16(msg.bytes, DEST);
      return dest === AM_BROADCAST_ADDR || dest === c.NodeId.get();
    };
    return {
      AMSend: {
        send(type, addr, msg, len) {
          if (sending !== null) return EBUSY;
          if (len > msg.data.length) return ESIZE;
          const b = msg.bytes;
          setU16(b, DEST, addr);
          setU16(b, SRC, c.NodeId.get());
          b[LENGTH] = len;
          b[GROUP] = TOS_AM_GROUP;
          b[TYPE] = type;
          b[msg.metadataOffset + ACKED] = 0;
          const wantAck = (b[msg.metadataOffset + FLAGS]! & ACK_REQUESTED) !== 0 && addr !== AM_BROADCAST_ADDR;
          const error = c.PacketLink.send(msg, wantAck);
          if (error === SUCCESS) sending = msg;
          return error;
        },
        cancel: (_type, msg) => (sending === msg ? c.PacketLink.cancel(msg) : FAIL),
        maxPayloadLength: () => TOSH_DATA_LENGTH,
        getPayload: (_type, msg, len) => (len > msg.data.length ? null : msg.data),
      },
      PacketLink: {
        sendDone(msg, error, acked) {
          if (msg !== sending) return;
          sending = null;
          msg.bytes[msg.metadataOffset + ACKED] = acked ? 1 : 0;
          c.AMSend.sendDone(msg.bytes[TYPE]!, msg, error);
        },
        receive(msg) {
          const b = msg.bytes;
          if (b[GROUP] !== TOS_AM_GROUP) return msg;
          const type = b[TYPE]!;
          const len = b[LENGTH]!;
          return isForMe(msg) ? c.Receive.receive(type, msg, msg.data, len) : c.Snoop.receive(type, msg, msg.data, len);
        },
      },
      Packet: {
        clear(msg) {
          msg.bytes.fill(0, 0, 7);
          msg.bytes.fill(0, msg.metadataOffset);
        },
        payloadLength: (msg) => msg.bytes[LENGTH]!,
        setPayloadLength(msg, len) {
          msg.bytes[LENGTH] = len;
        },
        maxPayloadLength: () => TOSH_DATA_LENGTH,
        getPayload: (msg, len) => (len > msg.data.length ? null : msg.data),
      },
      AMPacket: {
        address: () => c.NodeId.get(),
        destination: (msg) => getU16(msg.bytes, DEST),
        source: (msg) => getU16(msg.bytes, SRC),
        setDestination(msg, addr) {
          setU16(msg.bytes, DEST, addr);
        },
        setSource(msg, addr) {
          setU16(msg.bytes, SRC, addr);
        },
        isForMe,
        type: (msg) => msg.bytes[TYPE]!,
        setType(msg, type) {
          msg.bytes[TYPE] = type;
        },
        group: (msg) => msg.bytes[GROUP]!,
        setGroup(msg, group) {
          msg.bytes[GROUP] = group;
        },
        localGroup: () => TOS_AM_GROUP,
      },
      PacketAcknowledgements: {
        requestAck(msg) {
          msg.bytes[msg.metadataOffset + FLAGS] |= ACK_REQUESTED;
          return SUCCESS;
        },
        noAck(msg) {
          msg.bytes[msg.metadataOffset + FLAGS] &= ~ACK_REQUESTED;
          return SUCCESS;
        },
        wasAcked: (msg) => msg.bytes[msg.metadataOffset + ACKED] === 1,
      },
      defaults: {
        AMSend: { sendDone() {} },
        Receive: { receive: (_type, msg) => msg },
        Snoop: { receive: (_type, msg) => msg },
      },
    };
  },
);
