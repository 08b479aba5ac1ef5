/**
 * Typed messages, declared once (what TinyOS's `mig` generates from an
 * `nx_struct`): a fixed-layout, big-endian struct with an AM type.
 *
 * ```ts
 * export const OscilloscopeMsg = defineMessage("OscilloscopeMsg", 0x93, {
 *   version: u16, interval: u16, id: u16, count: u16, readings: array(u16, 10),
 * });
 * type OscilloscopeReading = MessageType<typeof OscilloscopeMsg>;
 * ```
 *
 * From the one declaration come:
 *
 * - the mote's accessors, which read and write a buffer in place and
 *   allocate nothing: `OscilloscopeMsg.get.interval(msg.data)`,
 *   `OscilloscopeMsg.set.interval(msg.data, 512)`, array elements with their
 *   index (`OscilloscopeMsg.set.readings(msg.data, i, value)`), nested
 *   structs as nested namespaces (`Msg.get.position.x(buf)`). Every accessor
 *   takes an optional byte offset last, for a message that starts inside a
 *   buffer (`Msg.get.interval(buf, offset)`). Setters store the low bits,
 *   as C does; getters of signed fields sign-extend.
 * - the host's codec (`decodeMessage`, `encodeMessage` in MessageCodec.ts,
 *   kept out of this file so images that only use accessors do not carry
 *   it), typed by `MessageType<typeof Msg>`.
 *
 * Offsets and sizes are computed once, when the declaration runs: at
 * elaboration time in the build (a message larger than the application's
 * payload, TOSH_DATA_LENGTH, throws there, so the build fails naming the
 * declaration's line), and on the host, where the application's payload
 * length is not known and only what no serial frame could carry
 * (MAX_DATA_LENGTH) is refused.
 *
 * Images: the build must treat `defineMessage`, `array` and `struct` as pure
 * calls (MESSAGE_PURE_CALLS), so a declaration nothing uses is left out.
 *
 * This file is image code: it keeps to the Espruino dialect.
 */
import { DATA_LENGTH_BUILT, MAX_DATA_LENGTH, TOSH_DATA_LENGTH } from "./Message.ts";

/** Calls the build may drop when their result is unused (tools/build/strip.ts). */
export const MESSAGE_PURE_CALLS: readonly string[] = ["defineMessage", "array", "struct"];

/** An integer field: 1, 2 or 4 bytes, big-endian, unsigned or two's complement. */
export interface ScalarType<N extends string = string> {
  readonly kind: "scalar";
  /** u8, u16, u32, i8, i16, i32 */
  readonly name: N;
  readonly size: 1 | 2 | 4;
  readonly signed: boolean;
}

/** A fixed-length array (nesC `nx_uint16_t readings[10]`). */
export interface ArrayType<E extends FieldType = FieldType> {
  readonly kind: "array";
  readonly element: E;
  readonly length: number;
  readonly size: number;
}

/** A nested struct (nesC `nx_struct`). */
export interface StructType<F extends FieldMap = FieldMap> {
  readonly kind: "struct";
  readonly fields: F;
  readonly size: number;
}

export type FieldType = ScalarType | ArrayType | StructType;

/** Field names to their types, in wire order. */
export interface FieldMap {
  readonly [name: string]: FieldType;
}

// Marked pure so that an image keeps only the field types it uses.
const scalar = <N extends string>(name: N, size: 1 | 2 | 4, signed: boolean): ScalarType<N> => ({
  kind: "scalar",
  name,
  size,
  signed,
});

/** nx_uint8_t */
export const u8 = /* @__PURE__ */ scalar("u8", 1, false);
/** nx_uint16_t */
export const u16 = /* @__PURE__ */ scalar("u16", 2, false);
/** nx_uint32_t */
export const u32 = /* @__PURE__ */ scalar("u32", 4, false);
/** nx_int8_t */
export const i8 = /* @__PURE__ */ scalar("i8", 1, true);
/** nx_int16_t */
export const i16 = /* @__PURE__ */ scalar("i16", 2, true);
/** nx_int32_t */
export const i32 = /* @__PURE__ */ scalar("i32", 4, true);

/** Throws a declaration error whose stack starts at the caller of `from` (the declaration's line). */
function fail(message: string, from: Function): never {
  const error = new Error(message);
  const capture = (Error as unknown as { captureStackTrace?: (e: object, f: Function) => void }).captureStackTrace;
  if (capture) capture(error, from);
  throw error;
}

const TYPES = "a field type (u8, u16, u32, i8, i16, i32, array(...), struct(...))";

/** `element[length]`: a fixed-length array of scalars, structs or arrays. */
export function array<E extends FieldType>(element: E, length: number): ArrayType<E> {
  if (!(element && element.size >= 1)) fail(`array(element, length): element must be ${TYPES}`, array);
  if (!(length >= 1 && length === Math.floor(length))) fail(`array length must be a positive integer, got ${length}`, array);
  return { kind: "array", element, length, size: element.size * length };
}

function structOf<F extends FieldMap>(fields: F, from: Function): StructType<F> {
  let size = 0;
  for (const name in fields) {
    const t = fields[name]!;
    if (!(t && t.size >= 1) || name === "__proto__") fail(`field \`${name}' must be ${TYPES}`, from);
    size += t.size;
  }
  return { kind: "struct", fields, size };
}

/** A nested struct: `position: struct({ x: i16, y: i16 })`. */
export function struct<F extends FieldMap>(fields: F): StructType<F> {
  return structOf(fields, struct);
}

// ---------------------------------------------------------------------------
// Accessor types: an array adds an index argument; a struct is a namespace.

type Appended<I extends readonly number[]> = [...I, index: number];

/** Reads one scalar: `(buf, ...indexes, offset?)`. */
export type Getter<I extends readonly number[] = []> = (buf: Uint8Array, ...at: [...I, offset?: number]) => number;
/** Writes one scalar: `(buf, ...indexes, value, offset?)`. */
export type Setter<I extends readonly number[] = []> = (buf: Uint8Array, ...at: [...I, value: number, offset?: number]) => void;

export type Getters<T extends FieldType, I extends readonly number[] = []> = T extends ScalarType
  ? Getter<I>
  : T extends ArrayType<infer E>
    ? Getters<E, Appended<I>>
    : T extends StructType<infer F>
      ? { readonly [K in keyof F]: Getters<F[K], I> }
      : never;

export type Setters<T extends FieldType, I extends readonly number[] = []> = T extends ScalarType
  ? Setter<I>
  : T extends ArrayType<infer E>
    ? Setters<E, Appended<I>>
    : T extends StructType<infer F>
      ? { readonly [K in keyof F]: Setters<F[K], I> }
      : never;

/** The host-side value of a field: numbers, arrays of values, objects for structs. */
export type ValueOf<T extends FieldType> = T extends ScalarType
  ? number
  : T extends ArrayType<infer E>
    ? ValueOf<E>[]
    : T extends StructType<infer F>
      ? { [K in keyof F]: ValueOf<F[K]> }
      : never;

export interface MessageOptions {
  /**
   * A tighter limit for this message, in bytes. It never raises the
   * payload: an image refuses a message larger than its TOSH_DATA_LENGTH
   * (set per application), and the host one larger than MAX_DATA_LENGTH.
   */
  readonly maxSize?: number;
}

/** A declared message: its name, AM type, layout and accessors. */
export interface MessageDefinition<N extends string = string, F extends FieldMap = FieldMap> {
  readonly kind: "message";
  readonly name: N;
  /** The Active Message type (am_id_t). */
  readonly amType: number;
  /** Bytes on the wire (sizeof the nx_struct). */
  readonly size: number;
  /** The whole message as a struct. */
  readonly struct: StructType<F>;
  readonly get: Getters<StructType<F>>;
  readonly set: Setters<StructType<F>>;
}

/** `MessageType<typeof OscilloscopeMsg>`: the decoded object's type. */
export type MessageType<M> = M extends MessageDefinition<string, infer F> ? { [K in keyof F]: ValueOf<F[K]> } : never;

// ---------------------------------------------------------------------------
// Accessors. A scalar is coded as its size, negative when signed.

function read(b: Uint8Array, p: number, t: number): number {
  if (t === 2) return (b[p]! << 8) | b[p + 1]!;
  if (t === 1) return b[p]!;
  if (t === 4) return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  if (t === -2) return ((b[p]! << 24) >> 16) | b[p + 1]!;
  if (t === -1) return (b[p]! << 24) >> 24;
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

function write(b: Uint8Array, p: number, t: number, v: number): void {
  if (t === 1 || t === -1) {
    b[p] = v;
  } else if (t === 2 || t === -2) {
    b[p] = v >> 8;
    b[p + 1] = v;
  } else {
    b[p] = v >> 24;
    b[p + 1] = v >> 16;
    b[p + 2] = v >> 8;
    b[p + 3] = v;
  }
}

// One closure per field, its offset and strides captured as parameters (no loop variables).
function getter(t: number, o: number, s1: number, s2: number, depth: number): Function {
  if (depth === 0) return (b: Uint8Array, off?: number) => read(b, o + (off! | 0), t);
  if (depth === 1) return (b: Uint8Array, i: number, off?: number) => read(b, o + i * s1 + (off! | 0), t);
  return (b: Uint8Array, i: number, j: number, off?: number) => read(b, o + i * s1 + j * s2 + (off! | 0), t);
}

function setter(t: number, o: number, s1: number, s2: number, depth: number): Function {
  if (depth === 0) return (b: Uint8Array, v: number, off?: number) => write(b, o + (off! | 0), t, v);
  if (depth === 1) return (b: Uint8Array, i: number, v: number, off?: number) => write(b, o + i * s1 + (off! | 0), t, v);
  return (b: Uint8Array, i: number, j: number, v: number, off?: number) => write(b, o + i * s1 + j * s2 + (off! | 0), t, v);
}

type Leaf = (t: number, o: number, s1: number, s2: number, depth: number) => Function;

/** The accessor tree of `type` at byte offset `o`; `s1`, `s2` are the strides of enclosing arrays. */
function accessors(type: FieldType, o: number, s1: number, s2: number, depth: number, leaf: Leaf): unknown {
  if (type.kind === "scalar") return leaf(type.signed ? -type.size : type.size, o, s1, s2, depth);
  if (type.kind === "array") {
    if (depth === 2) fail("arrays nest at most two deep", defineMessage);
    const stride = type.element.size;
    return accessors(type.element, o, depth === 0 ? stride : s1, depth === 1 ? stride : s2, depth + 1, leaf);
  }
  const out: Record<string, unknown> = {};
  for (const name in type.fields) {
    const field = type.fields[name]!;
    out[name] = accessors(field, o, s1, s2, depth, leaf);
    o += field.size;
  }
  return out;
}

/**
 * Declares a message: `defineMessage("TestSerialMsg", 0x89, { counter: u16 })`.
 * Throws (a build error, naming this line) when the layout is invalid or the
 * message is larger than the payload.
 */
export function defineMessage<const N extends string, F extends FieldMap>(
  name: N,
  amType: number,
  fields: F,
  options?: MessageOptions,
): MessageDefinition<N, F> {
  if (!(amType >= 0 && amType <= 255 && amType === Math.floor(amType))) {
    fail(`message \`${name}': AM type must be an integer 0..255, got ${amType}`, defineMessage);
  }
  const type = structOf(fields, defineMessage);
  // In a build the payload is the application's; on the host, any a serial frame carries.
  const payload = DATA_LENGTH_BUILT ? TOSH_DATA_LENGTH : MAX_DATA_LENGTH;
  if (type.size > payload) {
    fail(
      DATA_LENGTH_BUILT
        ? `message \`${name}' is ${type.size} bytes; the payload holds ${payload} (TOSH_DATA_LENGTH: an application sets more with \`export const TOSH_DATA_LENGTH = ${type.size};' in its configuration, or mote build --data-length)`
        : `message \`${name}' is ${type.size} bytes; no payload holds more than ${payload} (MAX_DATA_LENGTH, what one serial frame carries)`,
      defineMessage,
    );
  }
  if (options && options.maxSize !== undefined && type.size > options.maxSize) {
    fail(`message \`${name}' is ${type.size} bytes, over its maxSize of ${options.maxSize}`, defineMessage);
  }
  return {
    kind: "message",
    name,
    amType,
    size: type.size,
    struct: type,
    get: accessors(type, 0, 0, 0, 0, getter) as Getters<StructType<F>>,
    set: accessors(type, 0, 0, 0, 0, setter) as Setters<StructType<F>>,
  };
}
