/**
 * OscilloscopeAppC, as TinyOS's apps/Oscilloscope: sampling, sending ten
 * readings at a time, adopting a newer version's interval, jumping to a
 * higher count. A sniffer mote (test/fixtures/oscilloscope) logs what goes
 * over the air; packets to the Oscilloscope motes are injected.
 */
import { describe, expect, it } from "vitest";
import { OscilloscopeMsg, type OscilloscopeReading } from "../components/apps/OscilloscopeMsg.ts";
import { decodeMessage, encodeMessage, emptyMessage } from "../components/message/MessageCodec.ts";
import { World } from "../tools/sim/World.ts";
import { eventCostOnXs } from "../tools/xs/moteOnXs.ts";
import { oscilloscopeHostScript } from "../bench/oscilloscope.ts";
import { buildApp, imageOf } from "./support.ts";

const SNIFFER = "test/fixtures/oscilloscope/SnifferAppC.ts";

interface Heard {
  readonly timeMs: number;
  readonly src: number;
  readonly dest: number;
  readonly len: number;
  readonly value: OscilloscopeReading;
}

/** Oscilloscope motes `ids` (booted at 0) and a sniffer, id 100, linked to each of them. */
async function scope(ids: readonly number[], app = "OscilloscopeAppC") {
  const image = await imageOf(app);
  const world = new World({ seed: 5, keepLedTrace: true });
  for (const id of ids) world.addMote({ id, image, bootAtMs: 0 });
  world.addMote({ id: 100, image: await imageOf(SNIFFER), bootAtMs: 0 });
  for (const id of ids) world.setLink(id, 100, -50);
  // Sensor 0 reads the virtual time in milliseconds: each reading says when it was taken.
  world.setSensor(0, (t) => Math.round(t * 1000));
  const heard = (): Heard[] =>
    world.mote(100).debugLines
      .filter((l) => l.channel === "sniff")
      .map((l) => {
        const [src, dest, len, bytes] = l.message.split(" ");
        return { timeMs: l.timeMs, src: Number(src), dest: Number(dest), len: Number(len), value: decodeMessage(OscilloscopeMsg, Uint8Array.from(bytes!.split(",").map(Number))) };
      });
  /** Hands mote `id` an Oscilloscope packet, as if broadcast by node `src`. */
  const tell = (id: number, fields: Partial<OscilloscopeReading>, src = 0) =>
    world.inject(id, { src, dest: 0xffff, type: OscilloscopeMsg.amType, payload: encodeMessage(OscilloscopeMsg, { ...emptyMessage(OscilloscopeMsg), ...fields }) });
  return { world, heard, tell };
}

const ledToggles = (world: World, id: number, led: number) => world.mote(id).ledTrace.filter((c) => c.led === led).length;
const series = (from: number, step: number, n = 10) => Array.from({ length: n }, (_, i) => from + i * step);

describe("OscilloscopeAppC", () => {
  it("samples every 256 ms and broadcasts each ten readings with its id, version 0, interval 256 and a count", async () => {
    const { world, heard } = await scope([5]);
    world.runUntil(8000);
    const packets = heard();
    expect(packets).toHaveLength(3);
    // The first message goes at the 11th tick (2816 ms), then one every 10 ticks (2560 ms), within the radio's backoff.
    packets.forEach((p, k) => {
      expect(p.timeMs).toBeGreaterThanOrEqual(2816 + k * 2560);
      expect(p.timeMs).toBeLessThan(2816 + k * 2560 + 15);
    });
    expect(packets.map((p) => [p.src, p.dest, p.len])).toEqual([
      [5, 0xffff, 28],
      [5, 0xffff, 28],
      [5, 0xffff, 28],
    ]);
    expect(packets.map((p) => p.value)).toEqual([
      { version: 0, interval: 256, id: 5, count: 0, readings: series(256, 256) },
      { version: 0, interval: 256, id: 5, count: 1, readings: series(2816, 256) },
      { version: 0, interval: 256, id: 5, count: 2, readings: series(5376, 256) },
    ]);
    // LED 1 toggles per message sent; no problems (LED 0), nothing heard (LED 2).
    expect([ledToggles(world, 5, 0), ledToggles(world, 5, 1), ledToggles(world, 5, 2)]).toEqual([0, 3, 0]);
  });

  it("stores a failed read as 0xFFFF; a refused read stores nothing; both toggle LED 0", async () => {
    const { world, heard } = await scope([5], "test/fixtures/oscilloscope/FlakyOscilloscopeAppC.ts");
    world.runUntil(256 * 12 + 20);
    // Reads 3, 6, 9 fail; read 7 is refused, so ten readings take eleven ticks and go out at the 12th.
    expect(heard().map((p) => [p.value.count, p.value.readings])).toEqual([[0, [1, 2, 0xffff, 4, 5, 0xffff, 8, 0xffff, 10, 11]]]);
    expect(heard()[0]!.timeMs).toBeGreaterThanOrEqual(256 * 12);
    expect(ledToggles(world, 5, 0)).toBe(5); // reads 3, 6, 9 and 12 failed, 7 was refused
  });

  it("adopts the interval of a newer version at once (and restarts its readings); an older or equal version changes nothing", async () => {
    const { world, heard, tell } = await scope([5]);
    world.at(3000, () => tell(5, { version: 1, interval: 100, count: 0 }));
    world.at(4500, () => tell(5, { version: 1, interval: 50 })); // not newer
    world.at(4600, () => tell(5, { version: 0, interval: 999 }));
    world.runUntil(6200);
    const packets = heard();
    expect(packets.map((p) => [Math.floor(p.timeMs / 100) * 100, p.value.version, p.value.interval, p.value.count])).toEqual([
      [2800, 0, 256, 0],
      [4100, 1, 100, 1], // ticks every 100 ms from 3000: the 11th at 4100
      [5100, 1, 100, 2],
      [6100, 1, 100, 3],
    ]);
    expect(packets[1]!.value.readings).toEqual(series(3100, 100));
    expect(packets[2]!.value.readings).toEqual(series(4100, 100));
    expect(ledToggles(world, 5, 2)).toBe(3); // LED 2: every message heard
  });

  it("version 0xFFFF is newer than 0: versions compare as unsigned 16-bit numbers", async () => {
    const { world, heard, tell } = await scope([5]);
    world.at(100, () => tell(5, { version: 0xffff, interval: 200 }));
    world.runUntil(2400);
    expect(heard().map((p) => [p.value.version, p.value.interval])).toEqual([[0xffff, 200]]);
  });

  it("a message too short for the header fields is heard (LED 2) but changes nothing", async () => {
    const { world, heard } = await scope([5]);
    world.at(100, () => world.inject(5, { src: 0, dest: 0xffff, type: OscilloscopeMsg.amType, payload: [0, 9, 0, 50, 0, 0, 3] }));
    world.runUntil(3000);
    expect(heard().map((p) => [p.value.version, p.value.interval, p.value.count])).toEqual([[0, 256, 0]]);
    expect(ledToggles(world, 5, 2)).toBe(1);
  });

  it("jumps to a higher count heard, and does not count its next message; a lower count changes nothing", async () => {
    const { world, heard, tell } = await scope([5]);
    world.at(3000, () => tell(5, { count: 500 }));
    world.at(6000, () => tell(5, { count: 3 }));
    world.runUntil(11_000);
    // Count after the first message was 1; it jumps to 500, the next message is 500 and is not counted.
    expect(heard().map((p) => p.value.count)).toEqual([0, 500, 500, 501]);
    expect(heard().every((p) => p.value.version === 0 && p.value.interval === 256)).toBe(true);
  });

  it("a new interval spreads from mote to mote in their own messages, beyond the mote that heard the PC", async () => {
    // A line: 1 - 2 - 3 (1 and 3 do not hear each other); the sniffer hears all three.
    const { world, heard, tell } = await scope([1, 2, 3]);
    world.setLink(1, 2, -55);
    world.setLink(2, 3, -55);
    world.at(1000, () => tell(1, { version: 4, interval: 128 }));
    world.runUntil(12_000);
    const last = new Map<number, OscilloscopeReading>();
    for (const p of heard()) last.set(p.src, p.value);
    for (const id of [1, 2, 3]) expect([id, last.get(id)!.version, last.get(id)!.interval]).toEqual([id, 4, 128]);
    // The motes' counts stay together: each jumps to the highest it hears.
    const counts = [1, 2, 3].map((id) => last.get(id)!.count);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it("on the XS engine, sampling and sending allocate nothing, and the benchmark's hand-wired copy does exactly what it does", async () => {
    const report = await buildApp("OscilloscopeAppC");
    const host = oscilloscopeHostScript();
    const wired = await eventCostOnXs(`${report.image}\n${host}`, "mote(benchHost)", 5000);
    const direct = await eventCostOnXs(host, "directOscilloscope(benchHost)", 5000);
    expect(wired.heapGrowth).toBe(0);
    expect(wired.toggles).toBe(500); // LED 1 per frame sent, one frame per 10 samples
    expect(direct.toggles).toBe(wired.toggles);
    expect(direct.heapGrowth).toBe(0);
  });
});
