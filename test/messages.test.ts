/** Typed messages (components/message/TypedMessage.ts, MessageCodec.ts): layout, accessors, codec, declaration errors. */
import * as esbuild from "esbuild";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { OscilloscopeMsg } from "../components/apps/OscilloscopeMsg.ts";
import { TestSerialMsg } from "../components/apps/TestSerialMsg.ts";
import {
  decodeMessage,
  describeMessage,
  emptyMessage,
  encodeMessage,
  encodeMessageInto,
  messageLayout,
} from "../components/message/MessageCodec.ts";
import { createMessage } from "../components/message/Message.ts";
import {
  array,
  defineMessage,
  i16,
  i32,
  i8,
  MESSAGE_PURE_CALLS,
  type MessageType,
  struct,
  u16,
  u32,
  u8,
} from "../components/message/TypedMessage.ts";
import { build, ROOT } from "../tools/build/build.ts";
import { BuildError } from "../tools/build/diagnostics.ts";
import { openXs } from "../tools/xs/XsRunner.ts";


/** Every kind of field: signed and unsigned of each width, nested structs, arrays of structs, 2-D arrays. */
const Kitchen = defineMessage("Kitchen", 0x10, {
  a: u8,
  b: i8,
  c: u16,
  d: i16,
  e: u32,
  f: i32,
  pos: struct({ x: i16, y: i16 }),
  pts: array(struct({ id: u8, v: i16 }), 2),
  grid: array(array(u8, 2), 2),
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("declaring a message", () => {
  it("computes sizes once: Oscilloscope is 28 bytes, AM type 0x93", () => {
    expect(OscilloscopeMsg.name).toBe("OscilloscopeMsg");
    expect(OscilloscopeMsg.amType).toBe(0x93);
    expect(OscilloscopeMsg.size).toBe(28);
    expect(Kitchen.size).toBe(1 + 1 + 2 + 2 + 4 + 4 + 4 + 2 * 3 + 4);
    expect(TestSerialMsg.size).toBe(2);
    expect(TestSerialMsg.amType).toBe(0x89);
  });

  it("infers the host type from the declaration", () => {
    type Reading = MessageType<typeof OscilloscopeMsg>;
    expectTypeOf<Reading>().toEqualTypeOf<{ version: number; interval: number; id: number; count: number; readings: number[] }>();
    type K = MessageType<typeof Kitchen>;
    expectTypeOf<K["pos"]>().toEqualTypeOf<{ x: number; y: number }>();
    expectTypeOf<K["pts"]>().toEqualTypeOf<{ id: number; v: number }[]>();
    expectTypeOf<K["grid"]>().toEqualTypeOf<number[][]>();
    // Accessors: arrays add an index, the byte offset is optional and last.
    expectTypeOf(OscilloscopeMsg.get.interval).parameters.toEqualTypeOf<[buf: Uint8Array, offset?: number]>();
    expectTypeOf(OscilloscopeMsg.set.readings).parameters.toEqualTypeOf<[buf: Uint8Array, index: number, value: number, offset?: number]>();
    expectTypeOf(Kitchen.get.grid).parameters.toEqualTypeOf<[buf: Uint8Array, index: number, index: number, offset?: number]>();
    expectTypeOf(Kitchen.get.pts.v).returns.toEqualTypeOf<number>();
    // @ts-expect-error: no such field
    void OscilloscopeMsg.get.nothing;
  });

  it("on the host, a message larger than any serial frame carries is an error naming the declaration's line", () => {
    let error: Error | undefined;
    try {
      defineMessage("TooBig", 1, { a: array(u16, 123) }); // 246 bytes > 245
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe("message `TooBig' is 246 bytes; no payload holds more than 245 (MAX_DATA_LENGTH, what one serial frame carries)");
    // The stack starts at the declaration, not inside the library.
    expect(error?.stack?.split("\n")[1]).toContain("messages.test.ts");
    // The host does not know an application's TOSH_DATA_LENGTH: it takes what some build may (the build checks each image).
    expect(defineMessage("Big", 1, { a: array(u16, 15) }).size).toBe(30);
    expect(defineMessage("Widest", 1, { a: array(u8, 245) }).size).toBe(245);
    // maxSize only ever tightens.
    expect(() => defineMessage("Capped", 1, { a: array(u16, 15) }, { maxSize: 29 })).toThrow("message `Capped' is 30 bytes, over its maxSize of 29");
    expect(defineMessage("Roomy", 1, { a: array(u16, 15) }, { maxSize: 300 }).size).toBe(30);
  });

  it("rejects bad AM types, field types and array lengths", () => {
    expect(() => defineMessage("X", 256, { a: u8 })).toThrow("AM type must be an integer 0..255, got 256");
    expect(() => defineMessage("X", 1.5, { a: u8 })).toThrow("AM type");
    expect(() => defineMessage("X", 1, { a: 3 as unknown as typeof u8 })).toThrow("field `a' must be a field type");
    expect(() => array(u8, 0)).toThrow("array length must be a positive integer, got 0");
    expect(() => array(u8, 2.5)).toThrow("array length");
    expect(() => array({} as typeof u8, 2)).toThrow("element must be a field type");
    expect(() => defineMessage("X", 1, { a: array(array(array(u8, 2), 2), 2) })).toThrow("arrays nest at most two deep");
  });

  it("exports the names the build must treat as pure calls", () => {
    expect(MESSAGE_PURE_CALLS).toEqual(["defineMessage", "array", "struct"]);
  });
});

describe("accessors on a buffer", () => {
  it("write big-endian, byte by byte, and read back", () => {
    const buf = new Uint8Array(OscilloscopeMsg.size);
    OscilloscopeMsg.set.version(buf, 0x0102);
    OscilloscopeMsg.set.interval(buf, 0x0304);
    OscilloscopeMsg.set.id(buf, 0x0506);
    OscilloscopeMsg.set.count(buf, 0xfffe);
    for (let i = 0; i < 10; i++) OscilloscopeMsg.set.readings(buf, i, 0x1000 + i);
    expect(hex(buf)).toBe("01020304" + "0506fffe" + "10001001100210031004100510061007" + "10081009");
    expect(OscilloscopeMsg.get.interval(buf)).toBe(0x0304);
    expect(OscilloscopeMsg.get.count(buf)).toBe(0xfffe);
    expect(OscilloscopeMsg.get.readings(buf, 9)).toBe(0x1009);
  });

  it("signed fields sign-extend; setters keep the low bits, as C does", () => {
    const buf = new Uint8Array(Kitchen.size);
    Kitchen.set.a(buf, 0x1ff); // low 8 bits
    Kitchen.set.b(buf, -2);
    Kitchen.set.c(buf, -1); // 0xffff
    Kitchen.set.d(buf, -300);
    Kitchen.set.e(buf, 0xdeadbeef);
    Kitchen.set.f(buf, -2);
    expect(hex(buf.subarray(0, 14))).toBe("ff" + "fe" + "ffff" + "fed4" + "deadbeef" + "fffffffe");
    expect(Kitchen.get.a(buf)).toBe(255);
    expect(Kitchen.get.b(buf)).toBe(-2);
    expect(Kitchen.get.c(buf)).toBe(0xffff);
    expect(Kitchen.get.d(buf)).toBe(-300);
    expect(Kitchen.get.e(buf)).toBe(0xdeadbeef);
    expect(Kitchen.get.f(buf)).toBe(-2);
    Kitchen.set.f(buf, 0x7fffffff);
    expect(Kitchen.get.f(buf)).toBe(0x7fffffff);
    Kitchen.set.f(buf, -0x80000000);
    expect(Kitchen.get.f(buf)).toBe(-0x80000000);
  });

  it("nested structs, arrays of structs and 2-D arrays sit at their offsets", () => {
    const buf = new Uint8Array(Kitchen.size);
    Kitchen.set.pos.x(buf, -1);
    Kitchen.set.pos.y(buf, 0x0102);
    Kitchen.set.pts.id(buf, 0, 0xaa);
    Kitchen.set.pts.v(buf, 0, -2);
    Kitchen.set.pts.id(buf, 1, 0xbb);
    Kitchen.set.pts.v(buf, 1, 0x0304);
    Kitchen.set.grid(buf, 0, 0, 1);
    Kitchen.set.grid(buf, 0, 1, 2);
    Kitchen.set.grid(buf, 1, 0, 3);
    Kitchen.set.grid(buf, 1, 1, 4);
    expect(hex(buf.subarray(14))).toBe("ffff0102" + "aafffe" + "bb0304" + "01020304");
    expect(Kitchen.get.pos.x(buf)).toBe(-1);
    expect(Kitchen.get.pts.v(buf, 0)).toBe(-2);
    expect(Kitchen.get.pts.id(buf, 1)).toBe(0xbb);
    expect(Kitchen.get.grid(buf, 1, 0)).toBe(3);
  });

  it("take an optional byte offset last, for a message inside a larger buffer", () => {
    const buf = new Uint8Array(40);
    OscilloscopeMsg.set.interval(buf, 512, 8);
    OscilloscopeMsg.set.readings(buf, 2, 77, 8);
    expect(buf[8 + 2]).toBe(2);
    expect(buf[8 + 3]).toBe(0);
    expect(OscilloscopeMsg.get.interval(buf, 8)).toBe(512);
    expect(OscilloscopeMsg.get.readings(buf, 2, 8)).toBe(77);
    expect(OscilloscopeMsg.get.readings(buf, 2)).toBe(0);
  });

  it("work on a message_t's payload view", () => {
    const msg = createMessage();
    TestSerialMsg.set.counter(msg.data, 0x1234);
    expect(msg.bytes[7]).toBe(0x12);
    expect(msg.bytes[8]).toBe(0x34);
    expect(TestSerialMsg.get.counter(msg.data)).toBe(0x1234);
  });
});

describe("the host codec", () => {
  const reading: MessageType<typeof OscilloscopeMsg> = {
    version: 3,
    interval: 256,
    id: 7,
    count: 40,
    readings: [1, 2, 3, 4, 5, 6, 7, 8, 9, 0xffff],
  };

  it("encodes to the same bytes the accessors write, and decodes back", () => {
    const bytes = encodeMessage(OscilloscopeMsg, reading);
    expect(bytes.length).toBe(28);
    expect(hex(bytes)).toBe("0003" + "0100" + "0007" + "0028" + "0001000200030004000500060007000800" + "09ffff");
    expect(OscilloscopeMsg.get.readings(bytes, 9)).toBe(0xffff);
    expect(decodeMessage(OscilloscopeMsg, bytes)).toEqual(reading);
  });

  it("round-trips every field kind, signed extremes included", () => {
    const value: MessageType<typeof Kitchen> = {
      a: 255,
      b: -128,
      c: 65535,
      d: -32768,
      e: 0xffffffff,
      f: -0x80000000,
      pos: { x: 32767, y: -1 },
      pts: [
        { id: 0, v: -5 },
        { id: 9, v: 1000 },
      ],
      grid: [
        [1, 2],
        [3, 4],
      ],
    };
    const bytes = encodeMessage(Kitchen, value);
    expect(decodeMessage(Kitchen, bytes)).toEqual(value);
    // ...and agrees with the accessors field by field.
    expect(Kitchen.get.f(bytes)).toBe(-0x80000000);
    expect(Kitchen.get.e(bytes)).toBe(0xffffffff);
    expect(Kitchen.get.pts.v(bytes, 0)).toBe(-5);
    expect(Kitchen.get.grid(bytes, 1, 1)).toBe(4);
    // Random values too.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 200; k++) {
      const v: MessageType<typeof Kitchen> = {
        a: rand(256),
        b: rand(256) - 128,
        c: rand(65536),
        d: rand(65536) - 32768,
        e: rand(2 ** 16) * 2 ** 16 + rand(2 ** 16),
        f: rand(2 ** 16) * 2 ** 16 + rand(2 ** 16) - 2 ** 31,
        pos: { x: rand(65536) - 32768, y: rand(65536) - 32768 },
        pts: [
          { id: rand(256), v: rand(65536) - 32768 },
          { id: rand(256), v: rand(65536) - 32768 },
        ],
        grid: [
          [rand(256), rand(256)],
          [rand(256), rand(256)],
        ],
      };
      expect(decodeMessage(Kitchen, encodeMessage(Kitchen, v))).toEqual(v);
    }
  });

  it("decodes at an offset and refuses too few bytes", () => {
    const buf = new Uint8Array(32);
    encodeMessageInto(OscilloscopeMsg, reading, buf, 4);
    expect(decodeMessage(OscilloscopeMsg, buf, 4)).toEqual(reading);
    expect(() => decodeMessage(OscilloscopeMsg, buf, 5)).toThrow("OscilloscopeMsg is 28 bytes; only 27 given");
  });

  it("refuses values the fields cannot hold, naming the field", () => {
    expect(() => encodeMessage(TestSerialMsg, { counter: 70000 })).toThrow("TestSerialMsg.counter: 70000 is not a u16 (an integer 0..65535)");
    expect(() => encodeMessage(TestSerialMsg, { counter: -1 })).toThrow("is not a u16");
    expect(() => encodeMessage(TestSerialMsg, { counter: 1.5 })).toThrow("is not a u16");
    expect(() => encodeMessage(Kitchen, { ...emptyMessage(Kitchen), b: 128 })).toThrow("Kitchen.b: 128 is not a i8 (an integer -128..127)");
    expect(() => encodeMessage(OscilloscopeMsg, { ...reading, readings: [1, 2] })).toThrow(
      "OscilloscopeMsg.readings: expected an array of 10, got an array of 2",
    );
    expect(() => encodeMessage(TestSerialMsg, {} as { counter: number })).toThrow("TestSerialMsg.counter: missing");
    expect(() => encodeMessage(TestSerialMsg, { counter: 1, extra: 2 } as { counter: number })).toThrow("TestSerialMsg: no field `extra'");
    // A failed encode leaves the buffer as it was.
    const buf = new Uint8Array([9, 9]);
    expect(() => encodeMessageInto(TestSerialMsg, { counter: 1e6 }, buf)).toThrow();
    expect([...buf]).toEqual([9, 9]);
  });

  it("lists the layout and describes the struct as nesC would", () => {
    const layout = messageLayout(Kitchen);
    expect(layout.slice(0, 3)).toEqual([
      { path: "a", offset: 0, type: "u8", size: 1, signed: false },
      { path: "b", offset: 1, type: "i8", size: 1, signed: true },
      { path: "c", offset: 2, type: "u16", size: 2, signed: false },
    ]);
    expect(layout.find((l) => l.path === "pts[1].v")).toEqual({ path: "pts[1].v", offset: 22, type: "i16", size: 2, signed: true });
    expect(layout.find((l) => l.path === "grid[1][0]")?.offset).toBe(26);
    expect(describeMessage(OscilloscopeMsg)).toBe(
      [
        "nx_struct OscilloscopeMsg { // AM type 0x93, 28 bytes",
        "  nx_uint16_t version;",
        "  nx_uint16_t interval;",
        "  nx_uint16_t id;",
        "  nx_uint16_t count;",
        "  nx_uint16_t readings[10];",
        "}",
      ].join("\n"),
    );
    expect(emptyMessage(OscilloscopeMsg)).toEqual({ version: 0, interval: 0, id: 0, count: 0, readings: Array(10).fill(0) });
  });
});

describe("in the build", () => {
  it("a message larger than the payload fails the build at the declaration's line", async () => {
    const entry = path.join(ROOT, "test/fixtures/serial/TooBigMessageAppC.ts");
    const error = await build({ entry, platform: "sim", write: false, typecheck: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    const d = (error as BuildError).diagnostics[0]!;
    expect(d.message).toContain("message `TooBigMsg' is 30 bytes; the payload holds 28");
    expect(d.location?.file).toBe(path.join(ROOT, "test/fixtures/serial/TooBigMsg.ts"));
    expect(d.location?.line).toBe(4);
  });
});

describe("on the XS engine", () => {
  it("accessors allocate nothing: the live heap stays flat over 100,000 gets and sets", async () => {
    const bundle = await esbuild.build({
      stdin: {
        contents: `import { defineMessage, array, struct, u16, i16, u32 } from "./components/message/TypedMessage.ts";
          const M = defineMessage("M", 1, { a: u16, b: i16, c: u32, r: array(u16, 4), p: array(struct({ x: i16 }), 2) });
          const buf = new Uint8Array(M.size);
          globalThis.spin = function (n) {
            let sum = 0;
            for (let i = 0; i < n; i++) {
              M.set.a(buf, i); M.set.b(buf, -i); M.set.c(buf, i * 65537);
              M.set.r(buf, i & 3, i); M.set.p.x(buf, i & 1, -i, 0);
              sum = (sum + M.get.a(buf) + M.get.b(buf) + M.get.c(buf) + M.get.r(buf, i & 3) + M.get.p.x(buf, i & 1)) | 0;
            }
            return sum;
          };`,
        resolveDir: ROOT,
        loader: "ts",
      },
      bundle: true,
      write: false,
      format: "iife",
      target: "es2020",
      logLevel: "silent",
    });
    const xs = await openXs({ meteringLimit: 0 });
    try {
      await xs.evaluate(bundle.outputFiles[0]!.text);
      await xs.evaluate("spin(1000);"); // warm up
      await xs.evaluate("var counts = [0, 0, 100000], run = 0;");
      const measure = "gc(); spin(counts[run++]);";
      const empty1 = await xs.evaluate(measure);
      const empty2 = await xs.evaluate(measure);
      const loaded = await xs.evaluate(measure);
      const drift = empty2.heapCount - empty1.heapCount;
      expect(loaded.heapCount - empty2.heapCount - drift).toBe(0);
      expect(loaded.compute).toBeGreaterThan(empty2.compute + 100000);
      // The check sees allocation: a loop that allocates grows the heap.
      await xs.evaluate("var kept = []; globalThis.leak = function (n) { for (let i = 0; i < n; i++) kept.push({ i: i }); };");
      const leak1 = await xs.evaluate("gc(); leak(0);");
      const leak2 = await xs.evaluate("gc(); leak(1000);");
      expect(leak2.heapCount - leak1.heapCount).toBeGreaterThanOrEqual(1000);
    } finally {
      await xs.close();
    }
  });
});
