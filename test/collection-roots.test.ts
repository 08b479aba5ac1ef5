/**
 * CTP with two roots in one network (TEP 119: "one or more roots"):
 * MultihopOscilloscopeAppC motes on a 6×4 grid with 10% link loss, where
 * two opposite corners are roots (ids 0 and 500: the application makes
 * every id divisible by 500 a root, as TinyOS's does). Each mote's readings
 * go up its tree to one root or the other; both roots deliver to their
 * serial ports.
 */
import { describe, expect, it } from "vitest";
import { MultihopOscilloscopeMsg } from "../components/apps/MultihopOscilloscopeMsg.ts";
import { decodeSerialStream } from "../tools/serial/index.ts";
import { airBytes, SYNC_HEADER_BYTES } from "../tools/sim/Channel.ts";
import { World } from "../tools/sim/World.ts";
import { CollectionLog, DATA_FRAME_BYTES, snrForMeanPrr } from "./fixtures/collection/grid.ts";
import { imageOf } from "./support.ts";

const PROBE = "test/fixtures/collection/MultihopOscilloscopeProbeAppC.ts";
const COLUMNS = 6;
const ROWS = 4;
const ROOTS = [0, 500];
/** Grid position k (row by row) -> mote id: the last corner is root 500. */
const idAt = (k: number) => (k === COLUMNS * ROWS - 1 ? 500 : k);

describe("CTP with two roots", () => {
  it("every mote's readings reach a root, each root gets those of its side of the grid, and both write them to serial", async () => {
    const world = new World({ seed: 21, keepDebug: false, radio: { maxRetries: 0 } });
    const image = await imageOf(PROBE);
    for (let k = 0; k < COLUMNS * ROWS; k++) world.addMote({ id: idAt(k), image, bootAtMs: Math.floor(world.rng.next() * 5120) });
    const { noiseMeanDbm, noiseStdDb } = world.medium.options;
    const near = noiseMeanDbm + snrForMeanPrr(0.9, noiseStdDb, airBytes(DATA_FRAME_BYTES) - SYNC_HEADER_BYTES);
    for (let y = 0; y < ROWS; y++) {
      for (let x = 0; x < COLUMNS; x++) {
        const k = y * COLUMNS + x;
        if (x + 1 < COLUMNS) world.setLink(idAt(k), idAt(k + 1), near);
        if (y + 1 < ROWS) world.setLink(idAt(k), idAt(k + COLUMNS), near);
      }
    }
    const log = new CollectionLog(world);
    // Which root delivered each mote's readings ("dst <origin> <seqno>" from the root's CollectionDebug).
    const byRoot = new Map<number, Map<number, number>>(ROOTS.map((r) => [r, new Map()]));
    world.onDebug("ctp", (mote, _c, msg) => {
      const w = msg.split(" ");
      if (w[0] !== "dst") return;
      const counts = byRoot.get(mote.nodeId);
      expect(counts).toBeDefined(); // only roots deliver
      counts!.set(Number(w[1]), (counts!.get(Number(w[1])) ?? 0) + 1);
    });
    world.runUntil(180_000);

    const others = Array.from({ length: COLUMNS * ROWS }, (_, k) => idAt(k)).filter((id) => !ROOTS.includes(id));
    const delivered = (root: number, id: number) => byRoot.get(root)!.get(id) ?? 0;
    // Every mote is heard at one root at least; over the run nearly every reading arrives.
    expect(others.filter((id) => delivered(0, id) + delivered(500, id) === 0)).toEqual([]);
    const r = log.ratio(30_000, 170_000);
    expect(r.originated).toBeGreaterThan(others.length * 20);
    expect(r.ratio).toBeGreaterThan(0.95);
    // Each root serves the motes nearest it: the neighbours of corner 0 go to 0, those of corner 500 to 500.
    const nearMostly = (root: number, id: number) => delivered(root, id) > 0.9 * (delivered(0, id) + delivered(500, id));
    // One tree or the other: each mote's readings go (nearly) all to one root.
    expect(others.filter((id) => !nearMostly(0, id) && !nearMostly(500, id))).toEqual([]);
    for (const id of [1, COLUMNS]) expect([id, nearMostly(0, id)]).toEqual([id, true]);
    for (const id of [COLUMNS * ROWS - 2, COLUMNS * (ROWS - 1) - 1]) expect([id, nearMostly(500, id)]).toEqual([id, true]);
    // Both roots carry a good share, and each delivered to its own serial port as MultihopOscilloscope frames.
    for (const root of ROOTS) {
      const total = [...byRoot.get(root)!.values()].reduce((a, b) => a + b, 0);
      expect([root, total > 0.25 * r.delivered]).toEqual([root, true]);
      const frames = decodeSerialStream(world.serialOutput(root)).packets.filter((p) => p.type === MultihopOscilloscopeMsg.amType);
      expect(frames.length).toBeGreaterThanOrEqual(total);
      const ids = new Set(frames.map((p) => MultihopOscilloscopeMsg.get.id(p.payload)));
      expect([...byRoot.get(root)!.keys()].every((id) => ids.has(id))).toBe(true);
    }
  });
});
