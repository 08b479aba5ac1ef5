/**
 * message_t: one fixed-size packet buffer, allocated once when the mote
 * starts and reused forever (TEP 111). The layout is the same on the radio
 * and on the serial line, so a base station bridges without copying fields:
 *
 *   header   7 bytes  dest u16, src u16, length u8, group u8, AM type u8 (big-endian)
 *   data     TOSH_DATA_LENGTH bytes (28 unless an application asks for more)
 *   metadata 4 bytes  rssi i8, lqi u8, acked u8, flags u8 (never sent)
 *
 * `data` is a view of the payload made once with the buffer, so handing a
 * payload around allocates nothing.
 */
export const TOSH_DATA_LENGTH = 28;
export const HEADER_SIZE = 7;
export const METADATA_SIZE = 4;

/** Header field offsets. */
export const DEST = 0;
export const SRC = 2;
export const LENGTH = 4;
export const GROUP = 5;
export const TYPE = 6;

/** Metadata offsets, from the start of the metadata. */
export const RSSI = 0;
export const LQI = 1;
export const ACKED = 2;
export const FLAGS = 3;

export const AM_BROADCAST_ADDR = 0xffff;
export const TOS_AM_GROUP = 0x22;

export interface Message {
  /** The whole buffer: header, data, metadata. */
  readonly bytes: Uint8Array;
  /** The payload (a view into `bytes`). */
  readonly data: Uint8Array;
  /** Where the metadata starts in `bytes`. */
  readonly metadataOffset: number;
}

/**
 * One message buffer with `dataLength` payload bytes (TOSH_DATA_LENGTH if
 * omitted); call only while the mote starts (static allocation).
 */
export function createMessage(dataLength?: number): Message {
  // No default parameter: Espruino cannot run one.
  const n = dataLength === undefined ? TOSH_DATA_LENGTH : dataLength;
  const bytes = new Uint8Array(HEADER_SIZE + n + METADATA_SIZE);
  return { bytes, data: bytes.subarray(HEADER_SIZE, HEADER_SIZE + n), metadataOffset: HEADER_SIZE + n };
}

/**
 * A big-endian 16-bit field (header fields, protocol headers). Every layer
 * shares this one pair: on Espruino each function object costs an image
 * about eight JsVars.
 */
export const getU16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
export const setU16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v >> 8;
  b[at + 1] = v;
};

/** Bytes of a message on the air or the wire: header plus `length` bytes of payload. */
export const frameLength = (msg: Message): number => HEADER_SIZE + msg.bytes[LENGTH]!;
