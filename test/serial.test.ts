/** The TinyOS 2 serial protocol (TEP 113): framing, CRC, malformed frames, streaming, the PC codec. */
import { describe, expect, it } from "vitest";
import {
  createDeframer,
  crc16,
  deframeByte,
  DROP_BAD_CRC,
  DROP_ESCAPE,
  DROP_TOO_LONG,
  maxFrameLength,
  writeFrame,
} from "../components/serial/SerialProtocol.ts";
import { defineMessage, u16 } from "../components/message/TypedMessage.ts";
import { OscilloscopeMsg } from "../components/apps/OscilloscopeMsg.ts";
import { TestSerialMsg } from "../components/apps/TestSerialMsg.ts";
import {
  type AmPacket,
  decodePacket,
  decodeSerialStream,
  encodeAck,
  encodeAmFrame,
  encodeAmPacket,
  encodeFrame,
  MessageRegistry,
  parseAmPacket,
  SerialDeframer,
  SerialReader,
  SerialWriter,
  AM_TRUNCATED,
  AM_UNKNOWN_DISPATCH,
} from "../tools/serial/index.ts";

const bytes = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** The frame TinyOS's own serialsend tool wrote. */
const TINYOS_VECTOR = "7e 44 26 00 ff ff 00 00 04 22 93 01 02 03 04 c3 1a 7e";


/** A deterministic byte source. */
function prng(seed: number) {
  return (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
}

describe("CRC-16 (poly 0x1021, init 0, no reflection, no final XOR)", () => {
  it("gives the CRC-16/XMODEM check value", () => {
    expect(crc16(new TextEncoder().encode("123456789"), 0, 9)).toBe(0x31c3);
    expect(crc16(new Uint8Array(0), 0, 0)).toBe(0);
  });

  it("is what the TinyOS test vector carries, low byte first", () => {
    const v = bytes(TINYOS_VECTOR);
    expect(crc16(v, 1, v.length - 3)).toBe(0x1ac3);
  });
});

describe("the TinyOS test vector", () => {
  it("encodes byte for byte", () => {
    const frame = encodeAmFrame({ dest: 0xffff, src: 0, group: 0x22, type: 0x93, payload: bytes("01 02 03 04") }, 0x26);
    expect(hex(frame)).toBe(TINYOS_VECTOR);
    // The same with TinyOS's defaults (broadcast, source 0, group 0x22).
    expect(hex(new SerialWriter(0x26).packet({ type: 0x93, payload: bytes("01 02 03 04") }).bytes)).toBe(TINYOS_VECTOR);
  });

  it("decodes", () => {
    const { packets, stats } = decodeSerialStream(bytes(TINYOS_VECTOR));
    expect(packets).toEqual([
      { dest: 0xffff, src: 0, group: 0x22, type: 0x93, payload: bytes("01 02 03 04"), protocol: 0x44, seq: 0x26 },
    ]);
    expect(stats.frames).toBe(1);
    expect(stats.packets).toBe(1);
    expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
  });
});

describe("framing", () => {
  it("ACK frames are 7E 43 seq CRC CRC 7E", () => {
    for (const seq of [0, 0x26, 0x7d, 0x7e, 0xff]) {
      const crc = crc16(Uint8Array.of(0x43, seq), 0, 2);
      const expected = [0x7e, 0x43];
      for (const b of [seq, crc & 0xff, crc >> 8]) {
        if (b === 0x7e || b === 0x7d) expected.push(0x7d, b ^ 0x20);
        else expected.push(b);
      }
      expected.push(0x7e);
      expect([...encodeAck(seq)]).toEqual(expected);
      const { acks, stats } = decodeSerialStream(encodeAck(seq));
      expect(acks).toEqual([seq]);
      expect(stats.acks).toBe(1);
    }
  });

  it("escapes 7E and 7D everywhere, the CRC bytes included", () => {
    const frame = encodeAmFrame({ dest: 0x7e7d, src: 0x7d7e, group: 0x7e, type: 0x7d, payload: bytes("7e 7d 5e 5d 20") }, 0x7e);
    expect(hex(frame)).toMatch(/^7e 44 7d 5e 00 7d 5e 7d 5d 7d 5d 7d 5e 05 7d 5e 7d 5d 7d 5e 7d 5d 5e 5d 20 /);
    expect(frame.slice(1, -1).includes(0x7e)).toBe(false);
    // Find payloads whose CRC has a 7E or 7D byte and check they survive the round trip.
    let found = 0;
    for (let i = 0; i < 5000 && found < 4; i++) {
      const payload = Uint8Array.of(i & 0xff, i >> 8);
      const data = encodeAmPacket({ type: 1, payload });
      const crc = crc16(concat(Uint8Array.of(0x45), data), 0, data.length + 1);
      const lo = crc & 0xff;
      const hi = crc >> 8;
      if (lo !== 0x7e && lo !== 0x7d && hi !== 0x7e && hi !== 0x7d) continue;
      found++;
      const frame = encodeAmFrame({ type: 1, payload });
      expect(frame.slice(1, -1).includes(0x7e)).toBe(false);
      expect(decodeSerialStream(frame).packets[0]!.payload).toEqual(payload);
    }
    expect(found).toBe(4);
  });

  it("round-trips packets of every payload length, both protocols", () => {
    const rand = prng(7);
    for (let length = 0; length <= 245; length++) {
      const payload = Uint8Array.from({ length }, () => rand(256));
      const fields = { dest: rand(0x10000), src: rand(0x10000), group: rand(256), type: rand(256), payload };
      for (const seq of [undefined, rand(256)]) {
        const { packets, stats } = decodeSerialStream(encodeAmFrame(fields, seq));
        expect(stats.packets).toBe(1);
        expect(packets[0]).toEqual({ ...fields, protocol: seq === undefined ? 0x45 : 0x44, seq: seq ?? -1 });
      }
    }
  });

  it("refuses a payload over the MTU", () => {
    expect(() => encodeAmPacket({ type: 1, payload: new Uint8Array(246) })).toThrow("does not fit the serial MTU (245 bytes at most)");
    expect(() => encodeAmPacket({ type: 256, payload: new Uint8Array(1) })).toThrow("type must be an integer 0..255");
  });

  it("the mote's frame writer never writes past maxFrameLength", () => {
    const body = new Uint8Array(37).fill(0x7e);
    const out = new Uint8Array(maxFrameLength(2 + body.length) + 8).fill(0xee);
    const n = writeFrame(out, 0x45, -1, 0x7d, body, 0, body.length);
    expect(n).toBeLessThanOrEqual(maxFrameLength(2 + body.length));
    expect(out[n]).toBe(0xee);
  });
});

/** A good frame to follow each broken one: it must still come through. */
const good = (n: number) => encodeAmFrame({ type: 0x89, payload: Uint8Array.of(0, n) });

describe("malformed frames are dropped, counted, and the next good frame still decodes", () => {
  const run = (...parts: Uint8Array[]) => decodeSerialStream(concat(...parts));

  it("bad CRC", () => {
    const bad = good(1);
    bad[bad.length - 2]! ^= 0x01; // a CRC bit
    const flipped = good(2);
    flipped[10]! ^= 0x40; // a payload bit
    const { packets, stats } = run(bad, flipped, good(3));
    expect(stats.dropped.badCrc).toBe(2);
    expect(packets.map((p) => p.payload[1])).toEqual([3]);
  });

  it("missing flag: two frames run together fail their CRC; the frame after decodes", () => {
    const a = good(1);
    const b = good(2);
    // a without its closing flag, b without its opening one: one long frame with a bad CRC.
    const { packets, stats } = run(a.subarray(0, -1), b.subarray(1), good(3));
    expect(stats.dropped.badCrc).toBe(1);
    expect(packets.map((p) => p.payload[1])).toEqual([3]);
    // One flag between frames is enough: it ends one and starts the next.
    expect(run(a.subarray(0, -1), b, good(3)).packets.map((p) => p.payload[1])).toEqual([1, 2, 3]);
  });

  it("escape before a flag: dropped, and that flag starts the next frame", () => {
    const a = good(1);
    const broken = concat(a.subarray(0, 6), Uint8Array.of(0x7d)); // ...7D then the next frame's 7E
    const { packets, stats } = run(broken, good(2), good(3));
    // good(2) starts right after the escape: its opening flag is the one the escape ran into.
    expect(stats.dropped.escapeError).toBe(1);
    expect(packets.map((p) => p.payload[1])).toEqual([2, 3]);
  });

  it("escape followed by an escape: dropped up to the next flag", () => {
    const a = good(1);
    const { packets, stats } = run(concat(a.subarray(0, 6), Uint8Array.of(0x7d, 0x7d, 1, 2, 3)), good(2));
    expect(stats.dropped.escapeError).toBe(1);
    expect(packets.map((p) => p.payload[1])).toEqual([2]);
  });

  it("oversize: longer than the MTU, resynced at the next flag", () => {
    const long = concat(Uint8Array.of(0x7e, 0x45), new Uint8Array(400).fill(0x11), Uint8Array.of(0x7e));
    const { packets, stats } = run(long, good(2), good(3));
    expect(stats.dropped.tooLong).toBe(1);
    expect(stats.noise).toBeGreaterThan(0);
    expect(packets.map((p) => p.payload[1])).toEqual([2, 3]);
    // Exactly the MTU is fine: 255 bytes after the protocol byte, CRC included (a 245-byte payload, plus the seq byte for 0x44 frames).
    expect(decodeSerialStream(encodeAmFrame({ type: 1, payload: new Uint8Array(245) })).stats.packets).toBe(1);
  });

  it("unknown protocol (0xFF and others), counted only when the CRC is good", () => {
    const { packets, stats } = run(encodeFrame(0xff, -1, bytes("00 ff ff 00 00 00 22 01")), encodeFrame(0x46, -1, bytes("00")), good(3));
    expect(stats.dropped.unknownProtocol).toBe(2);
    expect(packets.map((p) => p.payload[1])).toEqual([3]);
  });

  it("truncated: too short for a CRC, for the protocol, or for the AM header and payload", () => {
    const { packets, stats } = run(
      bytes("7e 45 7e"), // no room for a CRC
      bytes("7e 45 12 7e"),
      encodeFrame(0x45, -1, new Uint8Array(0)), // no dispatch byte
      encodeFrame(0x44, 1, new Uint8Array(0)), // a sequence byte but no dispatch byte
      encodeFrame(0x43, -1, new Uint8Array(0)), // an ACK without its sequence byte
      encodeFrame(0x45, -1, bytes("00 ff ff 00 00")), // half an AM header
      encodeFrame(0x45, -1, bytes("00 ff ff 00 00 05 22 89 01 02")), // says 5 payload bytes, has 2
      good(3),
    );
    expect(stats.dropped.truncated).toBe(7);
    expect(packets.map((p) => p.payload[1])).toEqual([3]);
  });

  it("unknown dispatch byte", () => {
    const { packets, stats } = run(encodeFrame(0x45, -1, bytes("02 ff ff 00 00 00 22 89")), good(3));
    expect(stats.dropped.unknownDispatch).toBe(1);
    expect(packets).toHaveLength(1);
  });

  it("idle flags and noise before the first flag are not frames", () => {
    const { packets, stats } = run(bytes("00 11 22"), bytes("7e 7e 7e"), good(1), bytes("7e 7e"), good(2));
    expect(packets).toHaveLength(2);
    expect(stats.noise).toBe(3);
    expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
  });

  it("survives random garbage without throwing, and decodes the good frames around it", () => {
    const rand = prng(99);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      parts.push(Uint8Array.from({ length: rand(60) }, () => (rand(4) === 0 ? 0x7e : rand(4) === 0 ? 0x7d : rand(256))));
      parts.push(Uint8Array.of(0x7e), good(i & 0xff));
    }
    const { packets } = run(...parts);
    // Garbage can only ever cost the good frame right after it when it forged a valid frame; it never forges one here.
    expect(packets.filter((p) => p.type === 0x89).map((p) => p.payload[1])).toEqual(Array.from({ length: 200 }, (_, i) => i & 0xff));
  });
});

describe("streaming", () => {
  const stream = concat(
    bytes(TINYOS_VECTOR),
    encodeAck(0x7e),
    encodeAmFrame({ dest: 0x7e7e, type: 0x7d, payload: bytes("7e 7d 7e 7d") }),
    encodeAmFrame({ type: 0x93, payload: new Uint8Array(28).fill(0x7d) }, 0x7d),
  );
  const expected = decodeSerialStream(stream);

  it("frames split at every byte boundary decode the same", () => {
    expect(expected.packets).toHaveLength(3);
    expect(expected.acks).toEqual([0x7e]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const packets: AmPacket[] = [];
      const acks: number[] = [];
      const reader = new SerialReader({ onPacket: (p) => packets.push(p), onAck: (s) => acks.push(s) });
      reader.push(stream.subarray(0, cut));
      reader.push(stream.subarray(cut));
      expect(packets).toEqual(expected.packets);
      expect(acks).toEqual(expected.acks);
    }
  });

  it("one byte at a time, and in Node Buffers of every chunk size", () => {
    for (let size = 1; size <= 17; size++) {
      const packets: AmPacket[] = [];
      const reader = new SerialReader({ onPacket: (p) => packets.push(p) });
      for (let at = 0; at < stream.length; at += size) reader.push(Buffer.from(stream.subarray(at, at + size)));
      expect(packets).toEqual(expected.packets);
      expect(reader.stats.bytes).toBe(stream.length);
    }
  });

  it("packets are copies, safe to keep after the next bytes arrive", () => {
    const kept: AmPacket[] = [];
    const reader = new SerialReader({ onPacket: (p) => kept.push(p) });
    for (let i = 0; i < 5; i++) reader.push(good(i));
    expect(kept.map((p) => p.payload[1])).toEqual([0, 1, 2, 3, 4]);
  });

  it("the frame-level deframer hands out views, allocating nothing per frame", () => {
    const deframer = new SerialDeframer();
    const seen: string[] = [];
    deframer.push(stream, (f) => seen.push(`${f.protocol.toString(16)} ${f.seq} ${f.data.length}`));
    expect(seen).toEqual(["44 38 12", "43 126 0", "45 -1 12", "44 125 36"]);
    expect(deframer.bytes).toBe(stream.length);
  });

  it("reset forgets a partial frame", () => {
    const reader = new SerialReader();
    reader.push(good(1).subarray(0, 8));
    reader.reset();
    reader.push(good(1).subarray(8)); // the tail alone: no opening flag, only noise then a flag
    reader.push(good(2));
    expect(reader.stats.packets).toBe(1);
  });
});

describe("the mote's deframer (fixed buffer)", () => {
  it("counts an overlong frame and resyncs at the next flag", () => {
    const d = createDeframer(40);
    const feed = (b: Uint8Array) => {
      let frames = 0;
      for (const x of b) if (deframeByte(d, x)) frames++;
      return frames;
    };
    expect(feed(encodeAmFrame({ type: 1, payload: new Uint8Array(28) }, 1))).toBe(1); // 40 bytes exactly
    expect(feed(encodeAmFrame({ type: 1, payload: new Uint8Array(29) }, 1))).toBe(0);
    expect(d.drops[DROP_TOO_LONG]).toBe(1);
    expect(feed(encodeAmFrame({ type: 1, payload: new Uint8Array(2) }))).toBe(1);
    expect(d.drops[DROP_BAD_CRC]).toBe(0);
    expect(d.drops[DROP_ESCAPE]).toBe(0);
    expect(d.frames).toBe(2);
  });
});

describe("PC-to-mote packets and typed decoding", () => {
  it("SerialWriter numbers packets modulo 256", () => {
    const writer = new SerialWriter(254);
    const seqs = [0, 1, 2, 3].map(() => writer.packet({ type: 1, payload: new Uint8Array(0) }).seq);
    expect(seqs).toEqual([254, 255, 0, 1]);
    expect(writer.nextSeq).toBe(2);
    const { seq, bytes: frame } = writer.message(TestSerialMsg, { counter: 0x0102 }, { dest: 5 });
    expect(seq).toBe(2);
    expect(hex(frame)).toMatch(/^7e 44 02 00 00 05 00 00 02 22 89 01 02 /);
  });

  it("decodes packets with their declarations", () => {
    const reading = { version: 1, interval: 256, id: 3, count: 4, readings: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19] };
    const writer = new SerialWriter();
    const stream = concat(
      writer.message(OscilloscopeMsg, reading, { src: 3 }).bytes,
      writer.message(TestSerialMsg, { counter: 9 }).bytes,
      encodeAmFrame({ type: 0x55, payload: bytes("01") }),
      encodeAmFrame({ type: 0x93, payload: bytes("01") }), // too short for OscilloscopeMsg
    );
    const registry = new MessageRegistry([OscilloscopeMsg, TestSerialMsg]);
    const { packets } = decodeSerialStream(stream);
    const typed = packets.map((p) => registry.decode(p));
    expect(typed[0]?.message).toBe(OscilloscopeMsg);
    expect(typed[0]?.value).toEqual(reading);
    expect(typed[0]?.packet.src).toBe(3);
    expect(typed[1]?.value).toEqual({ counter: 9 });
    expect(typed[2]).toBeUndefined();
    expect(typed[3]).toBeUndefined();
    expect(decodePacket(TestSerialMsg, packets[1]!)).toEqual({ counter: 9 });
    expect(decodePacket(TestSerialMsg, packets[0]!)).toBeUndefined();
    expect(() => registry.add(defineMessage("Other", 0x89, { x: u16 }))).toThrow("AM type 0x89 is both TestSerialMsg and Other");
  });

  it("parses unframed packets (SerialForwarder's form)", () => {
    const data = encodeAmPacket({ dest: 1, src: 2, group: 3, type: 4, payload: bytes("05 06") });
    expect(hex(data)).toBe("00 00 01 00 02 02 03 04 05 06");
    expect(parseAmPacket(data)).toEqual({ dest: 1, src: 2, group: 3, type: 4, payload: bytes("05 06"), protocol: 0x45, seq: -1 });
    expect(parseAmPacket(data.subarray(0, 9))).toBe(AM_TRUNCATED);
    expect(parseAmPacket(Uint8Array.of(1, 0, 0))).toBe(AM_UNKNOWN_DISPATCH);
  });
});
