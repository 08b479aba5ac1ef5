/**
 * The host side of typed messages (TypedMessage.ts): decode a message's
 * bytes to a plain object and encode one back, typed by the declaration.
 * Host code only (the base station, tools, tests); images use the
 * allocation-free accessors instead, so this file never reaches a mote.
 *
 * ```ts
 * const reading = decodeMessage(OscilloscopeMsg, packet.payload); // MessageType<typeof OscilloscopeMsg>
 * const bytes = encodeMessage(OscilloscopeMsg, { ...reading, interval: 512 });
 * ```
 *
 * Decoders are compiled once per message (a generated function with every
 * offset constant, as mig's generated classes have), so decoding costs one
 * object per struct and one array per array field.
 */
import type {
  FieldMap,
  FieldType,
  MessageDefinition,
  MessageType,
  ScalarType,
  StructType,
} from "./TypedMessage.ts";

type Decoder = (bytes: Uint8Array, offset: number) => unknown;

const decoders = new WeakMap<object, Decoder>();

function readExpression(t: ScalarType, at: number): string {
  const b = (k: number) => `b[o+${at + k}]`;
  switch (t.size) {
    case 1:
      return t.signed ? `(${b(0)}<<24>>24)` : b(0);
    case 2:
      return t.signed ? `(${b(0)}<<24>>16|${b(1)})` : `(${b(0)}<<8|${b(1)})`;
    default: {
      const word = `(${b(0)}<<24|${b(1)}<<16|${b(2)}<<8|${b(3)})`;
      return t.signed ? word : `(${word}>>>0)`;
    }
  }
}

function decodeExpression(t: FieldType, at: number): string {
  if (t.kind === "scalar") return readExpression(t, at);
  if (t.kind === "array") {
    const items: string[] = [];
    for (let i = 0; i < t.length; i++) items.push(decodeExpression(t.element, at + i * t.element.size));
    return `[${items.join(",")}]`;
  }
  const parts: string[] = [];
  for (const name of Object.keys(t.fields)) {
    const field = t.fields[name]!;
    parts.push(`${JSON.stringify(name)}:${decodeExpression(field, at)}`);
    at += field.size;
  }
  return `{${parts.join(",")}}`;
}

function decoderFor(def: MessageDefinition): Decoder {
  let decode = decoders.get(def);
  if (!decode) {
    decode = new Function("b", "o", `return ${decodeExpression(def.struct, 0)};`) as Decoder;
    decoders.set(def, decode);
  }
  return decode;
}

/**
 * Decodes `def.size` bytes at `offset` (a packet's payload; extra bytes
 * after the message are ignored). Throws a RangeError when there are fewer.
 */
export function decodeMessage<M extends MessageDefinition>(def: M, bytes: Uint8Array, offset = 0): MessageType<M> {
  if (bytes.length - offset < def.size) {
    throw new RangeError(`${def.name} is ${def.size} bytes; only ${Math.max(0, bytes.length - offset)} given`);
  }
  return decoderFor(def)(bytes, offset) as MessageType<M>;
}

function range(t: ScalarType): [number, number] {
  const bits = t.size * 8;
  return t.signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

function encodeField(t: FieldType, value: unknown, bytes: Uint8Array, at: number, path: string): void {
  if (t.kind === "scalar") {
    const [min, max] = range(t);
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${path}: ${String(value)} is not a ${t.name} (an integer ${min}..${max})`);
    }
    let v = value < 0 ? value + 2 ** (t.size * 8) : value;
    for (let k = t.size - 1; k >= 0; k--) {
      bytes[at + k] = v % 256;
      v = Math.floor(v / 256);
    }
    return;
  }
  if (t.kind === "array") {
    if (!Array.isArray(value) || value.length !== t.length) {
      throw new RangeError(`${path}: expected an array of ${t.length}, got ${Array.isArray(value) ? `an array of ${value.length}` : String(value)}`);
    }
    for (let i = 0; i < t.length; i++) encodeField(t.element, value[i], bytes, at + i * t.element.size, `${path}[${i}]`);
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${path}: expected an object, got ${String(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.prototype.hasOwnProperty.call(t.fields, key)) throw new TypeError(`${path}: no field \`${key}'`);
  }
  for (const name of Object.keys(t.fields)) {
    const field = t.fields[name]!;
    if (!(name in record)) throw new TypeError(`${path}.${name}: missing`);
    encodeField(field, record[name], bytes, at, `${path}.${name}`);
    at += field.size;
  }
}

/**
 * Writes `value` into `bytes` at `offset` (big-endian, the declared layout).
 * Throws on a missing or unknown field, a wrong array length or a number the
 * field cannot hold, and then leaves `bytes` as it was.
 */
export function encodeMessageInto<M extends MessageDefinition>(def: M, value: MessageType<M>, bytes: Uint8Array, offset = 0): void {
  if (bytes.length - offset < def.size) {
    throw new RangeError(`${def.name} is ${def.size} bytes; the buffer has room for ${Math.max(0, bytes.length - offset)}`);
  }
  bytes.set(encodeMessage(def, value), offset);
}

/** `value` as `def.size` new bytes. */
export function encodeMessage<M extends MessageDefinition>(def: M, value: MessageType<M>): Uint8Array {
  const bytes = new Uint8Array(def.size);
  encodeField(def.struct, value, bytes, 0, def.name);
  return bytes;
}

function zero(t: FieldType): unknown {
  if (t.kind === "scalar") return 0;
  if (t.kind === "array") return Array.from({ length: t.length }, () => zero(t.element));
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(t.fields)) out[name] = zero(t.fields[name]!);
  return out;
}

/** A value of the message with every field zero (to fill in and encode). */
export function emptyMessage<M extends MessageDefinition>(def: M): MessageType<M> {
  return zero(def.struct) as MessageType<M>;
}

/** One scalar of a message's layout, arrays expanded: `readings[3]`, `position.x`. */
export interface LeafLayout {
  readonly path: string;
  readonly offset: number;
  readonly type: ScalarType["name"];
  readonly size: 1 | 2 | 4;
  readonly signed: boolean;
}

/** Every scalar of the message in wire order, with its byte offset. */
export function messageLayout(def: MessageDefinition): LeafLayout[] {
  const out: LeafLayout[] = [];
  const walk = (t: FieldType, at: number, path: string) => {
    if (t.kind === "scalar") {
      out.push({ path, offset: at, type: t.name, size: t.size, signed: t.signed });
    } else if (t.kind === "array") {
      for (let i = 0; i < t.length; i++) walk(t.element, at + i * t.element.size, `${path}[${i}]`);
    } else {
      for (const name of Object.keys(t.fields)) {
        const field = t.fields[name]!;
        walk(field, at, path ? `${path}.${name}` : name);
        at += field.size;
      }
    }
  };
  walk(def.struct, 0, "");
  return out;
}

/** Describes a declaration as nesC would write it (`nx_struct TestSerialMsg { nx_uint16_t counter; }`), for docs and logs. */
export function describeMessage(def: MessageDefinition): string {
  const cName = (t: ScalarType) => `nx_${t.signed ? "" : "u"}int${t.size * 8}_t`;
  const decl = (t: FieldType, name: string, indent: string): string => {
    let dims = "";
    while (t.kind === "array") {
      dims += `[${t.length}]`;
      t = t.element;
    }
    if (t.kind === "scalar") return `${indent}${cName(t)} ${name}${dims};`;
    return `${indent}nx_struct {\n${body(t, `${indent}  `)}\n${indent}} ${name}${dims};`;
  };
  const body = (t: StructType<FieldMap>, indent: string) =>
    Object.keys(t.fields).map((n) => decl(t.fields[n]!, n, indent)).join("\n");
  return `nx_struct ${def.name} { // AM type 0x${def.amType.toString(16).padStart(2, "0")}, ${def.size} bytes\n${body(def.struct, "  ")}\n}`;
}
