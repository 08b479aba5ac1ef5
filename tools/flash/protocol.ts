/**
 * What the flasher and the emulated board agree on: Espruino's console
 * control characters, the 2v25 packet framing, firmware versions, CRC-32,
 * the Storage file names mote uses and the JavaScript the flasher types.
 *
 * Packets (Espruino 2v25 and later): DLE SOH, then a 16-bit big-endian
 * header (3 type bits, 13 length bits), then the payload. The board answers
 * each with ACK or NAK (NAK also when the rest of a packet does not arrive
 * within about a second).
 */

export const DLE = 0x10;
export const SOH = 0x01;
export const ACK = 0x06;
export const NAK = 0x15;
export const CTRL_C = 0x03;

export const PacketType = {
  RESPONSE: 0x0000,
  EVAL: 0x2000,
  EVENT: 0x4000,
  FILE_SEND: 0x6000,
  DATA: 0x8000,
  FILE_RECV: 0xa000,
} as const;
export type PacketTypeName = keyof typeof PacketType;
export const MAX_PACKET_PAYLOAD = 0x1fff;

export function packetTypeName(type: number): PacketTypeName | undefined {
  for (const [name, value] of Object.entries(PacketType)) if (value === type) return name as PacketTypeName;
  return undefined;
}

/** One packet as it goes on the wire. */
export function encodePacket(type: number, payload: Uint8Array): Buffer {
  if (payload.length > MAX_PACKET_PAYLOAD) throw new RangeError(`packet payload of ${payload.length} bytes exceeds ${MAX_PACKET_PAYLOAD}`);
  const header = type | payload.length;
  return Buffer.concat([Buffer.from([DLE, SOH, header >> 8, header & 0xff]), payload]);
}

// --- firmware versions

export interface FirmwareVersion {
  readonly major: number;
  readonly minor: number;
  /** As the board reported it, e.g. `2v25` or `2v24.97` (a build between releases). */
  readonly text: string;
}

export function parseVersion(text: string): FirmwareVersion | undefined {
  const m = /^(\d+)v(\d+)/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), text: text.trim() };
}

export function versionAtLeast(v: FirmwareVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** Oldest firmware the flasher supports: Storage with 28-character names, `getFree`, `E.CRC32`. */
export const MIN_FIRMWARE = { major: 2, minor: 0, text: "2v00" } as const;
/** First firmware with the packet transfer protocol. */
export const PACKET_FIRMWARE = { major: 2, minor: 25, text: "2v25" } as const;

// --- CRC-32 (IEEE 802.3, as zlib and Espruino's E.CRC32)

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// --- Storage layout on the board

/** The two image slots: a new image goes into the slot the board is not booting from. */
export const SLOT_FILES = ["mote.a.js", "mote.b.js"] as const;
export type SlotFile = (typeof SLOT_FILES)[number];
/**
 * Where the node id goes, as JSON (the number alone, e.g. `7`): the
 * espruino platform's NodeId reads it at boot with `readJSON`.
 */
export const NODE_FILE = ".motenode";
export const BOOT_FILE = ".bootcde";

/** The whole of `.bootcde` once mote has flashed a board: it runs one slot. */
export function bootLoader(slot: SlotFile): string {
  return `eval(require("Storage").read(${JSON.stringify(slot)}))`;
}

export function nodeFileContents(nodeId: number): string {
  return JSON.stringify(nodeId);
}

/** Storage bytes a file costs beside its contents (Espruino's file header), for the space check. */
export const STORAGE_FILE_OVERHEAD = 32;

// --- JavaScript typed into the REPL

/**
 * A byte string as an Espruino string literal: printable ASCII as is,
 * everything else as `\xNN`, so any bytes survive the console.
 */
export function byteStringLiteral(bytes: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += "\\\\";
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `${out}"`;
}

/**
 * A REPL line that prints `@@<id> ` and the JSON of `expression`. The
 * marker is split in the source (`"@"+"@7 "`), so the line's own echo can
 * never look like its reply. DLE first: the board does not echo it.
 */
export function replyLine(id: number, expression: string): string {
  return `\x10print("@"+"@${id} "+JSON.stringify(${expression}))\n`;
}

/** Finds the reply to request `id` in console text; returns the JSON text and where the line ends. */
export function findReply(text: string, id: number): { json: string; end: number } | undefined {
  const marker = `@@${id} `;
  const at = text.indexOf(marker);
  if (at < 0) return undefined;
  const start = at + marker.length;
  const eol = text.slice(start).search(/[\r\n]/);
  if (eol < 0) return undefined;
  return { json: text.slice(start, start + eol), end: start + eol };
}

/** Time `bytes` take on a serial line at `baud` (8N1: ten bits a byte), in ms. */
export function wireMs(bytes: number, baud: number): number {
  return (bytes * 10 * 1000) / baud;
}
