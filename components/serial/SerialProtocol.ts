/**
 * The TinyOS 2 serial protocol (TEP 113), byte for byte: one implementation
 * of the framing, the CRC and the packet checks, used inside images by
 * SerialP and on the PC by tools/serial.
 *
 * A frame on the wire:
 *
 *   7E | protocol | [seq] | dispatch | AM header (7) | payload | CRC lo | CRC hi | 7E
 *
 * - protocol 0x43 ACK (a sequence byte, nothing else), 0x44 a packet that
 *   wants an ACK (with a sequence byte), 0x45 a packet without ACK (no
 *   sequence byte); 0xFF (TinyOS's "unknown") and anything else is dropped.
 * - dispatch 0: an Active Message; the AM header is dest u16, src u16,
 *   length u8, group u8, type u8, big-endian (message_t's header, so a
 *   packet goes from a message buffer to the wire without copying fields).
 * - CRC-16 with polynomial 0x1021, initial value 0, no reflection, no final
 *   XOR (CRC-16/XMODEM) over the protocol byte through the payload, before
 *   escaping, sent low byte first.
 * - 0x7E and 0x7D inside a frame are sent as 0x7D, byte ^ 0x20.
 * - SERIAL_MTU (255): at most that many bytes follow the protocol and
 *   sequence bytes (dispatch, header, payload and CRC).
 *
 * The deframer takes one byte at a time into a fixed buffer and allocates
 * nothing. A flag both ends a frame and starts the next (so `7E a 7E b 7E`
 * is two frames and idle flags are ignored). A frame with a bad CRC is
 * dropped and the next starts at its closing flag; an overlong frame, or an
 * escape followed by 0x7D, drops everything up to the next 0x7E; an escape
 * followed by 0x7E drops the frame and that flag starts the next. Every
 * dropped frame is counted by reason in `drops`.
 *
 * Image code: Espruino dialect, no allocation after `createDeframer`.
 */

export const HDLC_FLAG_BYTE = 0x7e;
export const HDLC_CTLESC_BYTE = 0x7d;

export const SERIAL_PROTO_ACK = 0x43;
export const SERIAL_PROTO_PACKET_ACK = 0x44;
export const SERIAL_PROTO_PACKET_NOACK = 0x45;
export const SERIAL_PROTO_PACKET_UNKNOWN = 0xff;

/** Dispatch byte of an Active Message. */
export const TOS_SERIAL_ACTIVE_MESSAGE_ID = 0;

/** Bytes after the protocol and sequence bytes, CRC included, at most. */
export const SERIAL_MTU = 255;

/** Bytes of the serial AM header (dest, src, length, group, type). */
export const SERIAL_AM_HEADER_SIZE = 7;

// Why a frame was dropped: indexes into `Deframer.drops`. The deframer
// counts the first five; the packet layer above it (SerialP, SerialReader)
// counts the AM-level ones, an AM header cut short as DROP_TRUNCATED too.
/** The CRC did not match. */
export const DROP_BAD_CRC = 0;
/** More bytes than the buffer (the MTU) before the closing flag. */
export const DROP_TOO_LONG = 1;
/** An escape byte followed by a flag or another escape. */
export const DROP_ESCAPE = 2;
/** A protocol byte other than 0x43, 0x44, 0x45 (in a frame whose CRC was good). */
export const DROP_UNKNOWN_PROTOCOL = 3;
/** Fewer bytes than the protocol needs (no room for a CRC, a sequence or a dispatch byte). */
export const DROP_TRUNCATED = 4;
/** (packet layer) A packet whose dispatch byte is not 0, Active Message. */
export const DROP_UNKNOWN_DISPATCH = 5;
/** (packet layer, mote) A packet arrived while the last one was still being delivered. */
export const DROP_OVERRUN = 6;
export const DROP_REASON_COUNT = 7;
/** Names of the DROP_* reasons, by index (host-side reporting). */
export const DROP_REASON_NAMES = ["badCrc", "tooLong", "escapeError", "unknownProtocol", "truncated", "unknownDispatch", "overrun"] as const;
export type DropReason = (typeof DROP_REASON_NAMES)[number];

/** One byte into a CRC-16/XMODEM (TinyOS's crcByte, table-free). */
export function crcByte(crc: number, b: number): number {
  crc = ((crc >> 8) | (crc << 8)) & 0xffff;
  crc ^= b;
  crc ^= (crc & 0xff) >> 4;
  crc = (crc ^ (crc << 12)) & 0xffff;
  return crc ^ ((crc & 0xff) << 5);
}

/** CRC-16/XMODEM of `bytes[start..end)`. */
export function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = crcByte(crc, bytes[i]!);
  return crc;
}

/** The most bytes a frame with `content` unescaped bytes (protocol through payload) can take on the wire. */
export function maxFrameLength(content: number): number {
  return 2 + 2 * (content + 2);
}

/** Writes `b` at `out[n]`, escaped if it must be; returns the next position. */
function put(out: Uint8Array, n: number, b: number): number {
  if (b === HDLC_FLAG_BYTE || b === HDLC_CTLESC_BYTE) {
    out[n++] = HDLC_CTLESC_BYTE;
    out[n++] = b ^ 0x20;
  } else {
    out[n++] = b;
  }
  return n;
}

/**
 * Writes one whole frame into `out` (which must hold maxFrameLength bytes):
 * flag, `protocol`, `seq` (left out when negative), `dispatch` (left out
 * when negative), `body[start..start+length)`, the CRC and the closing
 * flag, escaped. Returns the number of bytes written.
 *
 * A mote's AM packet: `writeFrame(out, 0x45, -1, 0, msg.bytes, 0, 7 + len)`;
 * an ACK: `writeFrame(out, 0x43, seq, -1, out, 0, 0)`.
 */
export function writeFrame(
  out: Uint8Array,
  protocol: number,
  seq: number,
  dispatch: number,
  body: Uint8Array,
  start: number,
  length: number,
): number {
  out[0] = HDLC_FLAG_BYTE;
  let n = put(out, 1, protocol);
  let crc = crcByte(0, protocol);
  if (seq >= 0) {
    n = put(out, n, seq);
    crc = crcByte(crc, seq);
  }
  if (dispatch >= 0) {
    n = put(out, n, dispatch);
    crc = crcByte(crc, dispatch);
  }
  const end = start + length;
  for (let i = start; i < end; i++) {
    const b = body[i]!;
    n = put(out, n, b);
    crc = crcByte(crc, b);
  }
  n = put(out, n, crc & 0xff);
  n = put(out, n, crc >> 8);
  out[n++] = HDLC_FLAG_BYTE;
  return n;
}

const HUNTING = 0;
const IN_FRAME = 1;
const ESCAPED = 2;

/** An incremental deframer's state: plain data, so image and host share it as is. */
export interface Deframer {
  /** Unescaped bytes of the frame: protocol, [seq], data, CRC lo, CRC hi. */
  readonly buf: Uint8Array;
  /** Dropped frames by reason (DROP_*; the packet layer above counts its own reasons here too). */
  readonly drops: Uint32Array;
  /** Good frames so far. */
  frames: number;
  /** Bytes seen outside any frame (before the first flag, after an overlong frame). */
  noise: number;
  /** After `deframeByte` returned true: the frame's protocol byte. */
  protocol: number;
  /** ...its sequence byte (0x43, 0x44), or -1 (0x45). */
  seq: number;
  /** ...where its data (dispatch byte onwards) starts in `buf`. */
  start: number;
  /** ...and how many data bytes there are (CRC excluded). */
  length: number;
  /** HUNTING, IN_FRAME or ESCAPED. */
  state: number;
  /** Bytes in `buf` so far. */
  n: number;
}

/**
 * A deframer for frames of up to `capacity` unescaped bytes, protocol byte
 * through CRC (SERIAL_MTU + 2 on the PC; a mote takes what fits its
 * message buffer). Call while the mote starts: its buffer is static.
 */
export function createDeframer(capacity: number): Deframer {
  return {
    buf: new Uint8Array(capacity),
    drops: new Uint32Array(DROP_REASON_COUNT),
    frames: 0,
    noise: 0,
    protocol: 0,
    seq: -1,
    start: 0,
    length: 0,
    state: HUNTING,
    n: 0,
  };
}

/** Checks a complete frame in `d.buf[0..d.n)`; true if it is good (fields set), else counted. */
function finishFrame(d: Deframer): boolean {
  const n = d.n;
  const buf = d.buf;
  if (n < 3) {
    d.drops[DROP_TRUNCATED]++;
    return false;
  }
  if (crc16(buf, 0, n - 2) !== (buf[n - 2]! | (buf[n - 1]! << 8))) {
    d.drops[DROP_BAD_CRC]++;
    return false;
  }
  const protocol = buf[0]!;
  // The fewest bytes each protocol needs: protocol, [seq], [dispatch], CRC.
  let need: number;
  if (protocol === SERIAL_PROTO_PACKET_NOACK) need = 4;
  else if (protocol === SERIAL_PROTO_PACKET_ACK) need = 5;
  else if (protocol === SERIAL_PROTO_ACK) need = 4;
  else {
    d.drops[DROP_UNKNOWN_PROTOCOL]++;
    return false;
  }
  if (n < need) {
    d.drops[DROP_TRUNCATED]++;
    return false;
  }
  const start = protocol === SERIAL_PROTO_PACKET_NOACK ? 1 : 2;
  d.protocol = protocol;
  d.seq = start === 2 ? buf[1]! : -1;
  d.start = start;
  d.length = n - 2 - start;
  d.frames++;
  return true;
}

/**
 * Feeds one byte. Returns true when it completed a good frame: then
 * `d.protocol`, `d.seq`, and `d.buf[d.start .. d.start + d.length)` describe
 * it until the next byte is fed.
 */
export function deframeByte(d: Deframer, b: number): boolean {
  if (b === HDLC_FLAG_BYTE) {
    let good = false;
    if (d.state === ESCAPED) d.drops[DROP_ESCAPE]++;
    else if (d.n > 0) good = finishFrame(d); // n > 0 only in a frame
    d.state = IN_FRAME;
    d.n = 0;
    return good;
  }
  const state = d.state;
  if (state === IN_FRAME) {
    if (b === HDLC_CTLESC_BYTE) {
      d.state = ESCAPED;
      return false;
    }
  } else if (state === ESCAPED) {
    if (b === HDLC_CTLESC_BYTE) {
      d.drops[DROP_ESCAPE]++;
      d.n = 0;
      d.state = HUNTING;
      return false;
    }
    b ^= 0x20;
    d.state = IN_FRAME;
  } else {
    d.noise++;
    return false;
  }
  const n = d.n;
  if (n === d.buf.length) {
    d.drops[DROP_TOO_LONG]++;
    d.n = 0;
    d.state = HUNTING;
    return false;
  }
  d.buf[n] = b;
  d.n = n + 1;
  return false;
}

/** Forgets any partial frame and waits for the next flag (counters are kept). */
export function resetDeframer(d: Deframer): void {
  d.state = HUNTING;
  d.n = 0;
}

// ---------------------------------------------------------------------------
// Active Message packets inside frames

/** `amPacketLength` results below zero: why the packet was refused. */
export const AM_UNKNOWN_DISPATCH = -1;
/** The AM header is incomplete or its length field claims more bytes than the frame carries. */
export const AM_TRUNCATED = -2;

/**
 * Checks the data of a packet frame (`bytes[start..start+length)`: dispatch,
 * AM header, payload) and returns the payload length from the header, or
 * AM_UNKNOWN_DISPATCH / AM_TRUNCATED. Bytes after the payload are ignored,
 * as TinyOS does.
 */
export function amPacketLength(bytes: Uint8Array, start: number, length: number): number {
  if (length < 1 || bytes[start] !== TOS_SERIAL_ACTIVE_MESSAGE_ID) return AM_UNKNOWN_DISPATCH;
  if (length < 1 + SERIAL_AM_HEADER_SIZE) return AM_TRUNCATED;
  const payload = bytes[start + 5]!; // dispatch, dest(2), src(2), length
  return 1 + SERIAL_AM_HEADER_SIZE + payload > length ? AM_TRUNCATED : payload;
}
