/**
 * Collection benchmarks: MultihopOscilloscopeAppC on a simulated 10×10 grid
 * whose links lose 10% of data frames (diagonal links 70%), the root in a
 * corner, every mote reporting once per 5.12 s, boots spread over one
 * period. The radio's MAC does no retransmissions of its own (as a CC2420
 * under TinyOS: CTP does them); the figures on the simulator's default radio
 * (3 MAC retransmissions, carrier sense deaf to these weak links) are in the
 * details. Seeded, so every run measures the same network.
 *
 * - collection_delivery_ratio: readings delivered to the root / readings
 *   sent (acknowledged by the first hop or given up), after a minute of warm-up.
 * - collection_tx_per_delivery: every radio transmission in the network
 *   (data, retransmissions, beacons, dissemination) per reading delivered;
 *   target at most twice the average hop count.
 * - collection_hop_count: the average depth of the collection tree at the end.
 * - dissemination_100_motes_s: from a change at the root until all 100 motes have it.
 */
import path from "node:path";
import { build, ROOT } from "../tools/build/build.ts";
import { loadImageText, type ImageFactory } from "../tools/sim/image.ts";
import { World, type WorldOptions } from "../tools/sim/World.ts";
import { CollectionLog, cornerHops, lossyGrid } from "../test/fixtures/collection/grid.ts";

export interface CollectionBenchResult {
  key: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
  detail: string;
}

const COLUMNS = 10;
const ROWS = 10;
const WARMUP_MS = 60_000;
const END_MS = 300_000;
/** Readings sent in the last seconds may still be on their way when the run ends: not counted. */
const TAIL_MS = 10_000;

async function image(entry: string): Promise<ImageFactory> {
  const report = await build({ entry: path.join(ROOT, entry), platform: "sim", write: false, typecheck: false });
  return loadImageText(report.image, `${report.app}.js`);
}

/** Average depth of the tree the motes last reported (motes without a route left out). */
function treeDepth(log: CollectionLog, motes: number): number {
  let total = 0;
  let counted = 0;
  for (let id = 1; id < motes; id++) {
    let depth = 0;
    let at = id;
    while (at !== 0 && depth <= motes) {
      const p = log.parent.get(at);
      if (p === undefined) break;
      at = p;
      depth++;
    }
    if (at === 0) {
      total += depth;
      counted++;
    }
  }
  return counted === 0 ? NaN : total / counted;
}

interface GridRun {
  readonly ratio: number;
  readonly originated: number;
  readonly delivered: number;
  readonly txPerDelivery: number;
  readonly depth: number;
  readonly wallMs: number;
  readonly duplicateDeliveries: number;
  readonly parentChanges: number;
}

function runGrid(factory: ImageFactory, seed: number, radio: WorldOptions["radio"]): GridRun {
  const started = performance.now();
  const world = new World({ seed, keepDebug: false, keepSerial: false, radio });
  lossyGrid(world, factory, { columns: COLUMNS, rows: ROWS });
  const log = new CollectionLog(world);
  const transmissions = () => world.summary().reduce((n, s) => n + s.transmissions, 0);
  world.runUntil(WARMUP_MS);
  const txBefore = transmissions();
  world.runUntil(END_MS - TAIL_MS);
  const tx = transmissions() - txBefore;
  const deliveredInWindow = [...log.delivered.values()].filter((t) => t >= WARMUP_MS).length;
  world.runUntil(END_MS);
  const r = log.ratio(WARMUP_MS, END_MS - TAIL_MS);
  return {
    ratio: r.ratio,
    originated: r.originated,
    delivered: r.delivered,
    txPerDelivery: tx / deliveredInWindow,
    depth: treeDepth(log, COLUMNS * ROWS),
    wallMs: performance.now() - started,
    duplicateDeliveries: log.duplicateDeliveries,
    parentChanges: log.parentChanges,
  };
}

function disseminationSeconds(factory: ImageFactory, seed: number): number {
  const world = new World({ seed, keepDebug: false, radio: { maxRetries: 0 } });
  lossyGrid(world, factory, { columns: COLUMNS, rows: ROWS });
  const got = new Map<number, number>();
  world.onDebug("diss", (mote, _c, message) => {
    if (message === "changed 1001" && !got.has(mote.nodeId)) got.set(mote.nodeId, world.nowMs);
  });
  world.runUntilCondition(() => got.size === COLUMNS * ROWS, 49_000);
  return got.size === COLUMNS * ROWS ? (Math.max(...got.values()) - 10_000) / 1000 : Infinity;
}

export async function collectionBenchmarks(progress: (m: string) => void): Promise<CollectionBenchResult[]> {
  progress("building MultihopOscilloscope (with collection debug events) for sim");
  const oscilloscope = await image("test/fixtures/collection/MultihopOscilloscopeProbeAppC.ts");
  progress(`collection: 10×10 grid, 10% link loss, ${END_MS / 1000} s simulated`);
  const run = runGrid(oscilloscope, 1, { maxRetries: 0 });
  progress("collection: the same on the default radio (MAC retransmissions)");
  const defaultRadio = runGrid(oscilloscope, 1, {});
  const gridHops = Array.from({ length: COLUMNS * ROWS - 1 }, (_, i) => cornerHops(i + 1, COLUMNS)).reduce((a, b) => a + b, 0) / (COLUMNS * ROWS - 1);
  progress("dissemination: one change at the root, 100 motes");
  const dissemination = disseminationSeconds(await image("test/fixtures/collection/DisseminationProbeAppC.ts"), 1);

  const window = `readings sent ${WARMUP_MS / 1000}–${(END_MS - TAIL_MS) / 1000} s`;
  return [
    {
      key: "collection_delivery_ratio",
      value: run.ratio,
      unit: "ratio",
      target: ">= 0.95",
      met: run.ratio >= 0.95,
      detail: `${run.delivered} of ${run.originated} ${window} reached the root (default radio: ${defaultRadio.ratio.toFixed(3)}); ${run.duplicateDeliveries} delivered twice (a retransmission raced a parent change); ${run.parentChanges} parent changes; ${(run.wallMs / 1000).toFixed(1)} s wall for ${END_MS / 1000} s`,
    },
    {
      key: "collection_tx_per_delivery",
      value: run.txPerDelivery,
      unit: "transmissions",
      target: `<= ${(2 * run.depth).toFixed(1)} (2 × hop count)`,
      met: run.txPerDelivery <= 2 * run.depth,
      detail: `all frames on the air (data, retransmissions, beacons, dissemination) per reading delivered, ${window}, over an average hop count of ${run.depth.toFixed(2)} (the tree's depth): ${(run.txPerDelivery / run.depth).toFixed(2)} per hop; default radio ${defaultRadio.txPerDelivery.toFixed(2)}`,
    },
    {
      key: "collection_hop_count",
      value: run.depth,
      unit: "hops",
      target: "(none)",
      met: true,
      detail: `average depth of the collection tree at ${END_MS / 1000} s; ${gridHops.toFixed(2)} hops on the grid's rows and columns alone (diagonal links shorten some paths)`,
    },
    {
      key: "dissemination_100_motes_s",
      value: dissemination,
      unit: "s",
      target: "<= 30",
      met: dissemination <= 30,
      detail: "from a DisseminationUpdate.change at mote 0 until all 100 motes had the value (Trickle from 1 s, k = 1)",
    },
  ];
}
