/**
 * Dissemination (Drip on Trickle) in the simulator, on the same 10×10 grid
 * with 10% link loss as the collection tests, and MultihopOscilloscope's
 * sampling interval set from the PC at the root. Seeded.
 */
import { describe, expect, it } from "vitest";
import { MultihopOscilloscopeMsg } from "../components/apps/MultihopOscilloscopeMsg.ts";
import { AM_DISSEMINATION_MESSAGE } from "../components/dissemination/Dissemination.ts";
import { encodeMessage, SerialReader, SerialWriter } from "../tools/serial/index.ts";
import { World } from "../tools/sim/World.ts";
import { lossyGrid } from "./fixtures/collection/grid.ts";
import { imageOf } from "./support.ts";

const PROBE = "test/fixtures/collection/DisseminationProbeAppC.ts";
const OSCILLOSCOPE = "test/fixtures/collection/MultihopOscilloscopeProbeAppC.ts";

/** When each mote first had each value ("changed <value>" lines). */
function valueLog(world: World) {
  const first = new Map<number, Map<number, number>>();
  const last = new Map<number, number>();
  world.onDebug("diss", (mote, _c, message) => {
    const value = Number(message.split(" ")[1]);
    let m = first.get(value);
    if (!m) first.set(value, (m = new Map()));
    if (!m.has(mote.nodeId)) m.set(mote.nodeId, world.nowMs);
    last.set(mote.nodeId, value);
  });
  return { first, last };
}

async function grid(seed: number) {
  const world = new World({ seed, keepDebug: false, radio: { maxRetries: 0 } });
  lossyGrid(world, await imageOf(PROBE), { columns: 10, rows: 10 });
  return { world, values: valueLog(world) };
}

describe("DisseminatorC (Drip on TrickleTimerMilliC) on a 10×10 grid with 10% link loss", () => {
  it("brings a change made at one mote to all 100 motes within 30 s", async () => {
    const { world, values } = await grid(1);
    world.runUntil(40_000);
    const got = values.first.get(1001)!;
    expect(got.size).toBe(100);
    const latest = Math.max(...got.values());
    expect(latest - 10_000).toBeLessThan(30_000);
    // Nobody heard of 1001 before mote 0 made it, and every mote still has it.
    expect(Math.min(...got.values())).toBeGreaterThanOrEqual(10_000);
    expect([...values.last.values()].every((v) => v === 1001)).toBe(true);
  });

  it("settles two changes made at once on the newer version everywhere (the change count ties; the node id decides)", async () => {
    const { world, values } = await grid(2);
    world.runUntil(90_000);
    // Motes 0 and 99 both changed the value at 50 s: 0 to 1002, 99 to 2001. Version (2, 99) beats (2, 0).
    expect(values.last.size).toBe(100);
    expect(new Set(values.last.values())).toEqual(new Set([2001]));
    expect(values.first.get(2001)!.size).toBe(100);
  });

  it("takes TinyOS's Drip frames: a newer version from elsewhere (key, seqno, value) spreads; an older one and an unknown key do not", async () => {
    const { world, values } = await grid(3);
    world.runUntil(15_000); // mote 0 has changed the value to 1001 (count 1)
    // Drip's dissemination_message_t: key u16, seqno u32 (change count << 16 | node), data.
    const drip = (key: number, count: number, node: number, value: number) =>
      Uint8Array.of(key >> 8, key & 255, count >> 8, count & 255, node >> 8, node & 255, value >> 8, value & 255);
    world.inject(55, { src: 500, dest: 0xffff, type: AM_DISSEMINATION_MESSAGE, payload: drip(0x1234, 7, 500, 3000) }, 15_000);
    world.inject(44, { src: 501, dest: 0xffff, type: AM_DISSEMINATION_MESSAGE, payload: drip(0x7777, 9, 501, 4000) }, 15_000);
    world.runUntil(45_000);
    expect(values.first.get(3000)!.size).toBe(100);
    expect(Math.max(...values.first.get(3000)!.values()) - 15_000).toBeLessThan(30_000);
    expect(values.first.has(4000)).toBe(false);
    // An older version (count 6) is answered with the newer one, never adopted.
    world.inject(12, { src: 502, dest: 0xffff, type: AM_DISSEMINATION_MESSAGE, payload: drip(0x1234, 6, 502, 5000) }, 45_000);
    world.runUntil(49_000); // before the probe's own changes at 50 s
    expect(values.first.has(5000)).toBe(false);
    expect([...values.last.values()].every((v) => v === 3000)).toBe(true);
  });
});

describe("MultihopOscilloscopeAppC: the sampling interval from the PC", () => {
  it("reaches every mote: after the PC sends version 1, interval 2048 to the root, all 100 report it within 45 s", async () => {
    const world = new World({ seed: 4, keepDebug: false, radio: { maxRetries: 0 } });
    lossyGrid(world, await imageOf(OSCILLOSCOPE), { columns: 10, rows: 10 });
    const reports: { t: number; id: number; version: number; interval: number }[] = [];
    const reader = new SerialReader({
      onPacket(p) {
        if (p.type !== MultihopOscilloscopeMsg.amType || p.payload.length !== MultihopOscilloscopeMsg.size) return;
        const g = MultihopOscilloscopeMsg.get;
        reports.push({ t: world.nowMs, id: g.id(p.payload), version: g.version(p.payload), interval: g.interval(p.payload) });
      },
    });
    world.onSerial(0, (bytes) => reader.push(bytes));
    world.runUntil(30_000);
    expect(new Set(reports.map((r) => r.id)).size).toBe(100);
    expect(reports.every((r) => r.version === 0 && r.interval === 1024)).toBe(true);

    // What TinyOS's Oscilloscope tool sends: an Oscilloscope message with a newer version, to the root's serial port.
    const change = encodeMessage(MultihopOscilloscopeMsg, { version: 1, interval: 2048, id: 0, count: 0, readings: [0, 0, 0, 0, 0] });
    world.serialWrite(0, new SerialWriter(1).packet({ type: MultihopOscilloscopeMsg.amType, payload: change }).bytes);
    world.runUntil(75_000);
    const firstNew = new Map<number, number>();
    for (const r of reports) if (r.version === 1 && !firstNew.has(r.id)) firstNew.set(r.id, r.t);
    expect(firstNew.size).toBe(100);
    // A mote's first report at the new interval leaves 6 periods (5 readings, then the send: 12.3 s)
    // after it took the interval, and then crosses the tree: 45 s is the 30 s bound on dissemination plus that.
    expect(Math.max(...firstNew.values()) - 30_000).toBeLessThan(30_000 + 6 * 2048 + 2_700);
    // From then on each mote reports every 5 × 2048 ms, with the new interval in its messages.
    const late = reports.filter((r) => r.t > 65_000);
    expect(late.every((r) => r.version === 1 && r.interval === 2048)).toBe(true);
    const mote37 = late.filter((r) => r.id === 37).map((r) => r.t);
    for (let i = 1; i < mote37.length; i++) expect(mote37[i]! - mote37[i - 1]!).toBeGreaterThan(9_000);
  });
});
