/**
 * message_t: one fixed-size packet buffer, allocated once when the mote
 * starts and reused forever (TEP 111). The layout is the same on the radio
 * and on the serial line, so a base station bridges without copying fields:
 *
 *   header   7 bytes  dest u16, src u16, length u8, group u8, AM type u8 (big-endian)
 *   data     TOSH_DATA_LENGTH bytes (28 unless the application sets it)
 *   footer   FOOTER_SIZE bytes (the platform's radio; 0 where the CRC is in hardware, as on the CC2420)
 *   metadata 4 bytes  rssi i8, lqi u8, acked u8, flags u8 (never sent)
 *
 * `data` is a view of the payload made once with the buffer, so handing a
 * payload around allocates nothing.
 *
 * TOSH_DATA_LENGTH is set per application at build time, as TinyOS's
 * `CFLAGS += -DTOSH_DATA_LENGTH=114`: the configuration file says
 * `export const TOSH_DATA_LENGTH = 114;` (or `mote build --data-length
 * 114`), and the build defines MOTE_TOSH_DATA_LENGTH, which the image's
 * minifier folds into every buffer size and length check. Code run on the
 * host (not built) sees 28.
 */
declare const MOTE_TOSH_DATA_LENGTH: number | undefined;
declare const MOTE_MESSAGE_FOOTER_SIZE: number | undefined;

/** The default payload length, when an application sets none. */
export const DEFAULT_DATA_LENGTH = 28;
export const TOSH_DATA_LENGTH: number = typeof MOTE_TOSH_DATA_LENGTH === "number" ? MOTE_TOSH_DATA_LENGTH : DEFAULT_DATA_LENGTH;
/**
 * The largest payload any application may set: what one TinyOS serial frame
 * carries (SERIAL_MTU 255 less the dispatch byte, the AM header and the CRC).
 */
export const MAX_DATA_LENGTH = 245;
/** Whether this code was built for an image (false on the host, which may talk to motes of any payload length). */
export const DATA_LENGTH_BUILT: boolean = typeof MOTE_TOSH_DATA_LENGTH === "number";
export const HEADER_SIZE = 7;
export const FOOTER_SIZE: number = typeof MOTE_MESSAGE_FOOTER_SIZE === "number" ? MOTE_MESSAGE_FOOTER_SIZE : 0;
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
  /** The whole buffer: header, data, footer, metadata. */
  readonly bytes: Uint8Array;
  /** The payload (a view into `bytes`). */
  readonly data: Uint8Array;
  /** Where the metadata starts in `bytes` (the footer ends there). */
  readonly metadataOffset: number;
}

/** Where the footer starts in `bytes`: right after TOSH_DATA_LENGTH payload bytes. */
export const FOOTER = HEADER_SIZE + TOSH_DATA_LENGTH;

/** One message buffer of TOSH_DATA_LENGTH payload bytes; call only while the mote starts (static allocation). */
export function createMessage(): Message {
  const bytes = new Uint8Array(HEADER_SIZE + TOSH_DATA_LENGTH + FOOTER_SIZE + METADATA_SIZE);
  return { bytes, data: bytes.subarray(HEADER_SIZE, FOOTER), metadataOffset: FOOTER + FOOTER_SIZE };
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
