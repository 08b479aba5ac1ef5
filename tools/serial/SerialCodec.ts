/**
 * The PC side of the TinyOS 2 serial protocol (TEP 113): a streaming
 * deframer for Node (feed Buffers of any size, get packets out, with
 * statistics), an encoder for PC-to-mote packets with sequence numbers, and
 * typed decoding of AM packets with the messages' declarations.
 *
 * The framing, CRC and packet checks are the mote's own code
 * (components/serial/SerialProtocol.ts), so both ends agree byte for byte.
 */
import {
  AM_TRUNCATED,
  AM_UNKNOWN_DISPATCH,
  amPacketLength,
  createDeframer,
  deframeByte,
  type Deframer,
  DROP_BAD_CRC,
  DROP_ESCAPE,
  DROP_TOO_LONG,
  DROP_TRUNCATED,
  DROP_UNKNOWN_DISPATCH,
  DROP_UNKNOWN_PROTOCOL,
  maxFrameLength,
  resetDeframer,
  SERIAL_AM_HEADER_SIZE,
  SERIAL_MTU,
  SERIAL_PROTO_ACK,
  SERIAL_PROTO_PACKET_ACK,
  SERIAL_PROTO_PACKET_NOACK,
  TOS_SERIAL_ACTIVE_MESSAGE_ID,
  writeFrame,
} from "../../components/serial/SerialProtocol.ts";
import { AM_BROADCAST_ADDR, TOS_AM_GROUP } from "../../components/message/Message.ts";
import type { MessageDefinition, MessageType } from "../../components/message/TypedMessage.ts";
import { decodeMessage, encodeMessage } from "../../components/message/MessageCodec.ts";

/** A good frame as the deframer saw it; `data` is a view valid only during the callback. */
export interface FrameView {
  /** 0x43 ACK, 0x44 packet wanting an ACK, 0x45 packet. */
  readonly protocol: number;
  /** The sequence byte (0x43, 0x44), or -1. */
  readonly seq: number;
  /** The bytes after the protocol and sequence bytes, CRC excluded (dispatch, header, payload for packets). */
  readonly data: Uint8Array;
}

/** An Active Message packet from the serial line. */
export interface AmPacket {
  readonly dest: number;
  readonly src: number;
  readonly group: number;
  readonly type: number;
  /** Exactly the header's `length` bytes (a copy, safe to keep). */
  readonly payload: Uint8Array;
  /** 0x45 (no ACK wanted) or 0x44 (the sender wants `7E 43 seq CRC CRC 7E` back). */
  readonly protocol: number;
  /** The sequence byte of a 0x44 packet, else -1. */
  readonly seq: number;
}

/** What was dropped and why; counts since the reader was made. */
export interface SerialDrops {
  badCrc: number;
  tooLong: number;
  escapeError: number;
  unknownProtocol: number;
  /** Too short for its protocol, or an AM header / payload cut short. */
  truncated: number;
  /** A packet whose dispatch byte is not 0 (Active Message). */
  unknownDispatch: number;
}

export interface SerialStats {
  /** Bytes fed. */
  bytes: number;
  /** Good frames (CRC and protocol checked). */
  frames: number;
  /** AM packets delivered. */
  packets: number;
  /** ACK frames delivered. */
  acks: number;
  /** Bytes outside any frame (line noise, the tail of an overlong frame). */
  noise: number;
  dropped: SerialDrops;
}

/**
 * Frames out of a byte stream: `push(chunk, onFrame)` with chunks of any
 * size, split anywhere. Allocates nothing per frame.
 */
export class SerialDeframer {
  /** The shared deframer state (its `drops` are indexed by DROP_*). */
  readonly state: Deframer;
  private readonly view: { protocol: number; seq: number; data: Uint8Array };
  bytes = 0;

  /** `mtu`: bytes after the protocol and sequence bytes, CRC included (TinyOS: 255). */
  constructor(mtu = SERIAL_MTU) {
    this.state = createDeframer(mtu + 2);
    this.view = { protocol: 0, seq: -1, data: this.state.buf.subarray(0, 0) };
  }

  /** Feeds bytes; `onFrame` is called for each good frame they complete. */
  push(chunk: Uint8Array, onFrame: (frame: FrameView) => void): void {
    const d = this.state;
    const n = chunk.length;
    this.bytes += n;
    for (let i = 0; i < n; i++) {
      if (deframeByte(d, chunk[i]!)) {
        const view = this.view;
        view.protocol = d.protocol;
        view.seq = d.seq;
        view.data = d.buf.subarray(d.start, d.start + d.length);
        onFrame(view);
      }
    }
  }

  /** Forgets a partial frame (e.g. after reopening the port). */
  reset(): void {
    resetDeframer(this.state);
  }
}

/** Handlers for `SerialReader`. */
export interface SerialReaderHandlers {
  /** An AM packet (0x44 or 0x45). Answer a 0x44 with `encodeAck(packet.seq)`. */
  onPacket?: (packet: AmPacket) => void;
  /** An ACK frame from the mote for the 0x44 packet with this sequence number. */
  onAck?: (seq: number) => void;
}

/**
 * AM packets and ACKs out of a byte stream, with statistics: what the base
 * station reads from a mote's serial port.
 *
 * ```ts
 * const reader = new SerialReader({ onPacket: (p) => console.log(p.type, p.payload) });
 * port.on("data", (chunk: Buffer) => reader.push(chunk));
 * ```
 */
export class SerialReader {
  private readonly state: Deframer;
  private readonly handlers: SerialReaderHandlers;
  private bytes = 0;
  private packets = 0;
  private acks = 0;

  constructor(handlers: SerialReaderHandlers = {}, options: { mtu?: number } = {}) {
    this.state = createDeframer((options.mtu ?? SERIAL_MTU) + 2);
    this.handlers = handlers;
  }

  /** Feeds bytes of any size, split anywhere. */
  push(chunk: Uint8Array): void {
    const d = this.state;
    const n = chunk.length;
    this.bytes += n;
    for (let i = 0; i < n; i++) if (deframeByte(d, chunk[i]!)) this.frame(d);
  }

  private frame(d: Deframer): void {
    if (d.protocol === SERIAL_PROTO_ACK) {
      this.acks++;
      this.handlers.onAck?.(d.seq);
      return;
    }
    const packet = parsePacketAt(d.buf, d.start, d.length, d.protocol, d.seq);
    if (typeof packet === "number") {
      d.drops[packet === AM_UNKNOWN_DISPATCH ? DROP_UNKNOWN_DISPATCH : DROP_TRUNCATED]++;
      return;
    }
    this.packets++;
    this.handlers.onPacket?.(packet);
  }

  /** Counts so far. */
  get stats(): SerialStats {
    const d = this.state;
    return {
      bytes: this.bytes,
      frames: d.frames,
      packets: this.packets,
      acks: this.acks,
      noise: d.noise,
      dropped: {
        badCrc: d.drops[DROP_BAD_CRC]!,
        tooLong: d.drops[DROP_TOO_LONG]!,
        escapeError: d.drops[DROP_ESCAPE]!,
        unknownProtocol: d.drops[DROP_UNKNOWN_PROTOCOL]!,
        truncated: d.drops[DROP_TRUNCATED]!,
        unknownDispatch: d.drops[DROP_UNKNOWN_DISPATCH]!,
      },
    };
  }

  /** Forgets a partial frame (counters are kept). */
  reset(): void {
    resetDeframer(this.state);
  }
}

/** Every AM packet in `bytes` (whole frames), for tests and files. */
export function decodeSerialStream(bytes: Uint8Array): { packets: AmPacket[]; acks: number[]; stats: SerialStats } {
  const packets: AmPacket[] = [];
  const acks: number[] = [];
  const reader = new SerialReader({ onPacket: (p) => packets.push(p), onAck: (s) => acks.push(s) });
  reader.push(bytes);
  return { packets, acks, stats: reader.stats };
}

/**
 * An AM packet from its unframed bytes (dispatch byte, header, payload: a
 * frame's data, or a SerialForwarder packet); a number (AM_UNKNOWN_DISPATCH,
 * AM_TRUNCATED) when it is not one.
 */
export function parseAmPacket(data: Uint8Array, protocol = SERIAL_PROTO_PACKET_NOACK, seq = -1): AmPacket | number {
  return parsePacketAt(data, 0, data.length, protocol, seq);
}

function parsePacketAt(b: Uint8Array, start: number, length: number, protocol: number, seq: number): AmPacket | number {
  const payload = amPacketLength(b, start, length);
  if (payload < 0) return payload;
  const h = start + 1;
  return {
    dest: (b[h]! << 8) | b[h + 1]!,
    src: (b[h + 2]! << 8) | b[h + 3]!,
    group: b[h + 5]!,
    type: b[h + 6]!,
    payload: b.slice(h + SERIAL_AM_HEADER_SIZE, h + SERIAL_AM_HEADER_SIZE + payload),
    protocol,
    seq,
  };
}

export { AM_TRUNCATED, AM_UNKNOWN_DISPATCH };

// ---------------------------------------------------------------------------
// Encoding

/** What a PC-to-mote (or mote-to-PC) packet carries; header fields default as TinyOS's tools send them. */
export interface AmPacketFields {
  /** Default 0xFFFF (broadcast). */
  readonly dest?: number;
  /** Default 0. */
  readonly src?: number;
  /** Default 0x22 (TOS_AM_GROUP). */
  readonly group?: number;
  readonly type: number;
  readonly payload: Uint8Array;
}

const checkByte = (name: string, v: number, max: number) => {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} must be an integer 0..${max}, got ${v}`);
};

/** The unframed packet: dispatch byte 0, the 7-byte AM header, the payload (what SerialForwarder carries). */
export function encodeAmPacket(fields: AmPacketFields): Uint8Array {
  const dest = fields.dest ?? AM_BROADCAST_ADDR;
  const src = fields.src ?? 0;
  const group = fields.group ?? TOS_AM_GROUP;
  checkByte("dest", dest, 0xffff);
  checkByte("src", src, 0xffff);
  checkByte("group", group, 0xff);
  checkByte("type", fields.type, 0xff);
  const length = fields.payload.length;
  if (1 + SERIAL_AM_HEADER_SIZE + length + 2 > SERIAL_MTU) {
    throw new RangeError(`a ${length}-byte payload does not fit the serial MTU (${SERIAL_MTU - 2 - 1 - SERIAL_AM_HEADER_SIZE} bytes at most)`);
  }
  const out = new Uint8Array(1 + SERIAL_AM_HEADER_SIZE + length);
  out[0] = TOS_SERIAL_ACTIVE_MESSAGE_ID;
  out[1] = dest >> 8;
  out[2] = dest;
  out[3] = src >> 8;
  out[4] = src;
  out[5] = length;
  out[6] = group;
  out[7] = fields.type;
  out.set(fields.payload, 8);
  return out;
}

/** One frame: flag, protocol, `seq` (omitted when negative), `data`, CRC, flag; escaped. */
export function encodeFrame(protocol: number, seq: number, data: Uint8Array): Uint8Array {
  checkByte("protocol", protocol, 0xff);
  if (seq >= 0) checkByte("seq", seq, 0xff);
  const out = new Uint8Array(maxFrameLength(2 + data.length));
  const n = writeFrame(out, protocol, seq, -1, data, 0, data.length);
  return out.slice(0, n);
}

/** The ACK a receiver sends for a 0x44 packet: `7E 43 seq CRC CRC 7E`. */
export function encodeAck(seq: number): Uint8Array {
  return encodeFrame(SERIAL_PROTO_ACK, seq, new Uint8Array(0));
}

/** A framed AM packet: 0x45 (no ACK) when `seq` is omitted, else 0x44 with that sequence number. */
export function encodeAmFrame(fields: AmPacketFields, seq?: number): Uint8Array {
  const data = encodeAmPacket(fields);
  return seq === undefined ? encodeFrame(SERIAL_PROTO_PACKET_NOACK, -1, data) : encodeFrame(SERIAL_PROTO_PACKET_ACK, seq, data);
}

/**
 * PC-to-mote packets as TinyOS's tools send them: protocol 0x44 with a
 * sequence number that counts up modulo 256, so the mote's ACK
 * (`7E 43 seq CRC CRC 7E`) says which packet arrived.
 */
export class SerialWriter {
  private next: number;

  constructor(firstSeq = 0) {
    checkByte("firstSeq", firstSeq, 0xff);
    this.next = firstSeq;
  }

  /** The sequence number the next packet will carry. */
  get nextSeq(): number {
    return this.next;
  }

  /** Frames one packet with the next sequence number. */
  packet(fields: AmPacketFields): { seq: number; bytes: Uint8Array } {
    const seq = this.next;
    const bytes = encodeAmFrame(fields, seq);
    this.next = (seq + 1) & 0xff;
    return { seq, bytes };
  }

  /** Frames a typed message (its AM type, its encoded bytes) with the next sequence number. */
  message<M extends MessageDefinition>(
    def: M,
    value: MessageType<M>,
    header: { dest?: number; src?: number; group?: number } = {},
  ): { seq: number; bytes: Uint8Array } {
    return this.packet({ ...header, type: def.amType, payload: encodeMessage(def, value) });
  }
}

// ---------------------------------------------------------------------------
// Typed decoding

/** A packet decoded with its message declaration. */
export interface TypedPacket<M extends MessageDefinition = MessageDefinition> {
  readonly message: M;
  readonly value: MessageType<M>;
  readonly packet: AmPacket;
}

/**
 * Decodes `packet` as `def`: undefined when its AM type differs; a
 * RangeError when its payload is shorter than the message.
 */
export function decodePacket<M extends MessageDefinition>(def: M, packet: AmPacket): MessageType<M> | undefined {
  if (packet.type !== def.amType) return undefined;
  return decodeMessage(def, packet.payload);
}

/** Message declarations by AM type, to decode whatever arrives. */
export class MessageRegistry {
  private readonly byType = new Map<number, MessageDefinition>();

  constructor(messages: readonly MessageDefinition[] = []) {
    for (const m of messages) this.add(m);
  }

  add(message: MessageDefinition): this {
    const other = this.byType.get(message.amType);
    if (other && other !== message) {
      throw new Error(`AM type 0x${message.amType.toString(16)} is both ${other.name} and ${message.name}`);
    }
    this.byType.set(message.amType, message);
    return this;
  }

  get(amType: number): MessageDefinition | undefined {
    return this.byType.get(amType);
  }

  get messages(): MessageDefinition[] {
    return [...this.byType.values()];
  }

  /** The packet decoded with the declaration for its type; undefined for an unknown type or a short payload. */
  decode(packet: AmPacket): TypedPacket | undefined {
    const message = this.byType.get(packet.type);
    if (!message || packet.payload.length < message.size) return undefined;
    return { message, value: decodeMessage(message, packet.payload), packet };
  }
}
