/**
 * Oscilloscope built for `espruino`, run in Node under the Espruino API shim
 * on virtual time (tools/espruino/shim.ts). On Puck.js boards its messages
 * go over BLE advertising (a 28-byte payload takes two advertisements,
 * joined again by the receiver), decoded from the advertisements and
 * checked reading by reading, between boards through the shim's air too.
 * With its Active Messages on the serial port
 * (test/fixtures/boards/SerialOscilloscopeAppC.ts) they come out of the
 * console as TinyOS serial frames. Both images are in Espruino's dialect
 * and fit a Puck.js.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OscilloscopeMsg, type OscilloscopeReading } from "../components/apps/OscilloscopeMsg.ts";
import { decodeMessage, emptyMessage, encodeMessage } from "../components/message/MessageCodec.ts";
import { build, ROOT, type BuildReport } from "../tools/build/build.ts";
import { EspruinoShim, ShimAir } from "../tools/espruino/shim.ts";
import { BURST_MS, FIRST_PART, MOTE_MANUFACTURER, SECOND_PART } from "../platforms/espruino/EspruinoBleRadioP.ts";
import { HEADER_SIZE } from "../components/message/Message.ts";
import { decodeSerialStream, encodeAmFrame } from "../tools/serial/index.ts";
import { findDialectViolations } from "../platforms/espruino/dialect.ts";

const images = new Map<string, Promise<BuildReport>>();
const image = (entry: string): Promise<BuildReport> => {
  let report = images.get(entry);
  if (!report) {
    report = build({ entry: path.join(ROOT, entry), platform: "espruino", board: "puckjs", write: false, typecheck: false });
    images.set(entry, report);
  }
  return report;
};
const RADIO = "configurations/OscilloscopeAppC.ts";
const SERIAL = "test/fixtures/boards/SerialOscilloscopeAppC.ts";

/** The sensor's 0..1 value at tick k (one tick every 256 ms), and the reading the mote should take from it. */
const level = (k: number) => (k % 50) / 64;
const reading = (k: number) => Math.round(level(k) * 65535);

/** Runs the shim tick by tick, setting the sensor before each sample; `ticks` of `interval` ms. */
function sample(shim: EspruinoShim, from: number, ticks: number, interval = 256): void {
  for (let k = from; k < from + ticks; k++) {
    shim.analog = level(k);
    shim.runUntil(k * interval);
  }
}

const expectedReadings = (firstTick: number) => Array.from({ length: 10 }, (_, i) => reading(firstTick + i));

interface Sent {
  readonly timeMs: number;
  readonly src: number;
  readonly type: number;
  readonly value: OscilloscopeReading;
}

/** The AM packets a board advertised, parts joined: each advertisement is a first byte (sequence, part flags), then frame bytes. */
function advertised(shim: EspruinoShim): Sent[] {
  const out: Sent[] = [];
  let first: { timeMs: number; head: number; bytes: number[] } | undefined;
  for (const a of shim.advertising) {
    if (a.manufacturer !== MOTE_MANUFACTURER || !a.manufacturerData) continue;
    const [head, ...bytes] = a.manufacturerData;
    if (head! & FIRST_PART) {
      first = { timeMs: a.timeMs, head: head!, bytes };
      continue;
    }
    let frame = bytes;
    let timeMs = a.timeMs;
    if (head! & SECOND_PART) {
      expect(first && (first.head & 63) === (head! & 63) && a.timeMs - first.timeMs === BURST_MS).toBe(true); // right after its first part
      frame = [...first!.bytes, ...bytes];
      timeMs = first!.timeMs;
    }
    expect(frame.length).toBe(HEADER_SIZE + frame[4]!); // the length byte says what follows the header
    out.push({ timeMs, src: (frame[2]! << 8) | frame[3]!, type: frame[6]!, value: decodeMessage(OscilloscopeMsg, Uint8Array.from(frame.slice(HEADER_SIZE))) });
  }
  return out;
}

/** An OscilloscopeMsg from node `src` as the two advertisements a board would send (sequence `seq`). */
function asAdvertisements(src: number, seq: number, value: OscilloscopeReading): number[][] {
  const payload = encodeMessage(OscilloscopeMsg, value);
  const frame = [0xff, 0xff, src >> 8, src & 0xff, payload.length, 0x22, OscilloscopeMsg.amType, ...payload];
  return [[seq | FIRST_PART, ...frame.slice(0, 23)], [seq | SECOND_PART, ...frame.slice(23)]];
}

describe("Oscilloscope images for a Puck.js", () => {
  it("is in Espruino's dialect and fits the Puck.js's JsVars", async () => {
    for (const entry of [RADIO, SERIAL]) {
      const report = await image(entry);
      expect(findDialectViolations(report.image)).toEqual([]);
      expect(report.figures.jsVarsAtBoot).toBeLessThanOrEqual(report.figures.jsVarsBudget!);
    }
  });
});

describe("OscilloscopeAppC on Puck.js boards (BLE advertising)", () => {
  it("advertises ten light readings at a time as OscilloscopeMsg in two parts: id from Storage, version 0, interval 256, counting", async () => {
    const shim = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "7" } });
    shim.load((await image(RADIO)).image);
    sample(shim, 1, 34);
    const sent = advertised(shim);
    expect(sent).toHaveLength(3);
    sent.forEach((p, n) => {
      // As TinyOS: the first message at the 11th tick, then one every 10 ticks.
      expect(p.timeMs).toBe((11 + 10 * n) * 256);
      expect(p).toMatchObject({ src: 7, type: OscilloscopeMsg.amType });
      expect(p.value).toEqual({ version: 0, interval: 256, id: 7, count: n, readings: expectedReadings(1 + 10 * n) });
    });
    // LED 1 toggles at each sendDone, when the second part's burst ends.
    expect(shim.ledTrace.filter((c) => c.led === 1).map((c) => c.timeMs)).toEqual(sent.map((p) => p.timeMs + 2 * BURST_MS));
    expect(shim.ledTrace.filter((c) => c.led === 0)).toEqual([]);
    expect(shim.uncaught).toEqual([]);
  });

  it("a newer version heard by one board spreads to the next over the air: both adopt its interval", async () => {
    const report = await image(RADIO);
    const a = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "1" } });
    const b = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "2" } });
    a.load(report.image);
    b.load(report.image);
    const air = new ShimAir([a, b]);
    air.runUntil(1000);
    // A PC's base station (another board, address 99) tells a about version 4, interval 400; b does not hear it.
    const [first, second] = asAdvertisements(0, 5, { ...emptyMessage(OscilloscopeMsg), version: 4, interval: 400 });
    expect(b.deliverAdvertisement(MOTE_MANUFACTURER, second!, -50, "pc")).toBe(true); // a second part alone: ignored
    a.deliverAdvertisement(MOTE_MANUFACTURER, first!, -50, "pc");
    a.deliverAdvertisement(MOTE_MANUFACTURER, second!, -50, "pc");
    expect(a.ledTrace.filter((c) => c.led === 2)).toHaveLength(1);
    air.runUntil(16_000);
    const fromA = advertised(a);
    const fromB = advertised(b);
    expect(fromA.length).toBeGreaterThan(2);
    expect(fromA.every((p) => p.value.version === 4 && p.value.interval === 400)).toBe(true);
    // b heard a's first message (LED 2) and took version 4 from it: its messages say so from then on.
    expect(b.ledTrace.filter((c) => c.led === 2).length).toBeGreaterThan(0);
    const adopted = fromB.filter((p) => p.timeMs > fromA[0]!.timeMs);
    expect(adopted.length).toBeGreaterThan(0);
    expect(adopted.every((p) => p.value.version === 4 && p.value.interval === 400)).toBe(true);
    expect([...a.uncaught, ...b.uncaught]).toEqual([]);
  });
});

describe("Oscilloscope on Espruino's serial port (TinyOS serial frames)", () => {
  it("writes each ten readings as a TEP 113 frame on the console, and takes a new interval from the PC", async () => {
    const shim = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "12" } });
    shim.load((await image(SERIAL)).image);
    // The serial port is the console device at boot (Bluetooth on a Puck.js), taken over from the REPL.
    const port = shim.serial.Bluetooth!;
    expect(shim.consoleDevice).toBe("LoopbackA");
    sample(shim, 1, 22);
    let decoded = decodeSerialStream(Uint8Array.from(port.written));
    expect(decoded.stats.noise).toBe(0);
    expect(Object.values(decoded.stats.dropped).every((n) => n === 0)).toBe(true);
    expect(decoded.packets.map((p) => p.type)).toEqual([OscilloscopeMsg.amType, OscilloscopeMsg.amType]);
    decoded.packets.forEach((p, n) => {
      expect(decodeMessage(OscilloscopeMsg, p.payload)).toEqual({ version: 0, interval: 256, id: 12, count: n, readings: expectedReadings(1 + 10 * n) });
    });
    // The PC (a base station) sends version 1, interval 1000.
    const command = encodeMessage(OscilloscopeMsg, { ...emptyMessage(OscilloscopeMsg), version: 1, interval: 1000 });
    const at = 22 * 256;
    shim.receiveSerial(port.name, [...encodeAmFrame({ dest: 0xffff, src: 0, group: 0x22, type: OscilloscopeMsg.amType, payload: command })]);
    for (let k = 1; k <= 11; k++) {
      shim.analog = level(k);
      shim.runUntil(at + k * 1000);
    }
    decoded = decodeSerialStream(Uint8Array.from(port.written));
    expect(decoded.packets).toHaveLength(3);
    expect(decodeMessage(OscilloscopeMsg, decoded.packets[2]!.payload)).toMatchObject({ version: 1, interval: 1000, id: 12, readings: expectedReadings(1) });
    // LED 1 toggles once per message sent, LED 2 once per message heard, LED 0 (trouble) never.
    expect(shim.ledTrace.filter((c) => c.led === 1)).toHaveLength(3);
    expect(shim.ledTrace.filter((c) => c.led === 2)).toHaveLength(1);
    expect(shim.ledTrace.filter((c) => c.led === 0)).toHaveLength(0);
    expect(shim.uncaught).toEqual([]);
  });
});
