import { module, parameterized } from "../mote.ts";
import { ESIZE, FAIL, SUCCESS } from "../TinyError.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Packet } from "../interfaces/Packet.ts";
import { PacketAcknowledgements } from "../interfaces/PacketAcknowledgements.ts";
import { PacketLink } from "../interfaces/PacketLink.ts";
import { Receive } from "../interfaces/Receive.ts";
import {
  DEST,
  getU16,
  GROUP,
  HEADER_SIZE,
  LENGTH,
  type Message,
  setU16,
  SRC,
  TOS_AM_GROUP,
  TOSH_DATA_LENGTH,
  TYPE,
} from "../message/Message.ts";

/** am_id_t has 256 values. */
export const AM_TYPES = 256;

const payload = (msg: Message, len: number) => (len > TOSH_DATA_LENGTH ? null : msg.data);

/**
 * Active Messages on the serial line (TinyOS's SerialActiveMessageP): the
 * AM header is message_t's own, so sending fills in the destination, type
 * and length and hands the buffer to the link; receiving dispatches on the
 * type. As in TinyOS, the source and group are left as the buffer has them
 * (so a base station can forward radio packets unchanged), the serial
 * address is 0, every packet is "for me", and there are no link
 * acknowledgements.
 */
export const SerialActiveMessageP = module(
  "SerialActiveMessageP",
  {
    provides: {
      AMSend: parameterized(AMSend, AM_TYPES),
      Receive: parameterized(Receive, AM_TYPES),
      Packet,
      AMPacket,
      PacketAcknowledgements,
    },
    uses: { PacketLink },
    defaults: ["AMSend", "Receive"],
  },
  (c) => ({
    AMSend: {
      send(id, addr, msg, len) {
        if (len > TOSH_DATA_LENGTH) return ESIZE;
        const b = msg.bytes;
        setU16(b, DEST, addr);
        b[LENGTH] = len;
        b[TYPE] = id;
        return c.PacketLink.send(msg, false);
      },
      cancel: (_id, msg) => c.PacketLink.cancel(msg),
      maxPayloadLength: () => TOSH_DATA_LENGTH,
      getPayload: (_id, msg, len) => payload(msg, len),
    },
    PacketLink: {
      sendDone: (msg, error) => c.AMSend.sendDone(msg.bytes[TYPE]!, msg, error),
      receive: (msg) => c.Receive.receive(msg.bytes[TYPE]!, msg, msg.data, msg.bytes[LENGTH]!),
    },
    Packet: {
      clear(msg) {
        msg.bytes.fill(0, 0, HEADER_SIZE);
        msg.bytes.fill(0, msg.metadataOffset);
      },
      payloadLength: (msg) => msg.bytes[LENGTH]!,
      setPayloadLength(msg, len) {
        msg.bytes[LENGTH] = len;
      },
      maxPayloadLength: () => TOSH_DATA_LENGTH,
      getPayload: payload,
    },
    AMPacket: {
      address: () => 0,
      destination: (msg) => getU16(msg.bytes, DEST),
      source: (msg) => getU16(msg.bytes, SRC),
      setDestination(msg, addr) {
        setU16(msg.bytes, DEST, addr);
      },
      setSource(msg, addr) {
        setU16(msg.bytes, SRC, addr);
      },
      isForMe: () => true,
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
      requestAck: () => FAIL,
      noAck: () => SUCCESS,
      wasAcked: () => false,
    },
    defaults: {
      AMSend: { sendDone() {} },
      Receive: { receive: (_id, msg) => msg },
    },
  }),
);
