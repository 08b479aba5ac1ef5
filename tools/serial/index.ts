/**
 * Everything the PC side needs to talk to motes over serial: the codec
 * (SerialCodec.ts), the protocol constants and the typed messages' host codec.
 */
export * from "./SerialCodec.ts";
export {
  crc16,
  crcByte,
  DROP_REASON_NAMES,
  HDLC_CTLESC_BYTE,
  HDLC_FLAG_BYTE,
  SERIAL_AM_HEADER_SIZE,
  SERIAL_MTU,
  SERIAL_PROTO_ACK,
  SERIAL_PROTO_PACKET_ACK,
  SERIAL_PROTO_PACKET_NOACK,
  SERIAL_PROTO_PACKET_UNKNOWN,
  TOS_SERIAL_ACTIVE_MESSAGE_ID,
} from "../../components/serial/SerialProtocol.ts";
export {
  decodeMessage,
  describeMessage,
  emptyMessage,
  encodeMessage,
  encodeMessageInto,
  messageLayout,
  type LeafLayout,
} from "../../components/message/MessageCodec.ts";
export type { MessageDefinition, MessageType } from "../../components/message/TypedMessage.ts";
