/**
 * The simulator's benchmarks (issue 3):
 *
 *   sim_blink_1000x3600_events_per_s   1,000 Blink motes for one simulated hour
 *   sim_beacon_1024x600_speedup        1,024 motes on a 32×32 grid, each broadcasting 20 bytes
 *                                      a second for 10 simulated minutes: simulated s per wall s
 *   sim_beacon_10000x600_wall_s        the same with 10,000 motes (100×100): wall time,
 *   sim_beacon_10000x600_peak_mb       and the peak memory of the process that ran it
 *
 * The radio and energy model are on throughout (path loss, shadowing,
 * noise, collisions, CSMA). Motes boot at random times in the first second,
 * as `mote sim` boots them. The 10,000-mote run takes a few minutes in a
 * child process (so its peak memory is its own); MOTE_BENCH_QUICK=1 skips
 * it. `node --import ./tools/register.js bench/sim.ts` runs them alone.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, ROOT } from "../tools/build/build.ts";
import { loadImageText, type ImageFactory } from "../tools/sim/image.ts";
import { World } from "../tools/sim/World.ts";

export interface SimBenchmarkResult {
  key: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
  detail: string;
}

const THIS_FILE = fileURLToPath(import.meta.url);
const CHILD_FLAG = "--sim-bench-child";

async function image(entry: string): Promise<ImageFactory> {
  const report = await build({ entry: path.join(ROOT, entry), platform: "sim", write: false, typecheck: false });
  return loadImageText(report.image, `${report.app}.js`);
}

interface BeaconRun {
  readonly motes: number;
  readonly seconds: number;
  readonly wallS: number;
  readonly events: number;
  readonly links: number;
  readonly sent: number;
  readonly received: number;
  readonly collided: number;
  readonly averageMa: number;
}

/** `motes` beacon motes on a square grid for `seconds` simulated seconds. */
async function beacon(motes: number, seconds: number, onProgress?: (simS: number) => void): Promise<BeaconRun> {
  const world = new World({ seed: 1, keepDebug: false, keepSerial: false });
  world.addMotes(motes, await image("bench/components/BeaconAppC.ts"), { bootSpreadMs: 1000 });
  const side = Math.round(Math.sqrt(motes));
  world.placeMotes(`grid:${side}x${Math.ceil(motes / side)}`);
  const links = world.medium.linkCount();
  const t = performance.now();
  for (let s = 10; s <= seconds; s += 10) {
    world.runUntil(s * 1000);
    onProgress?.(s);
  }
  world.runUntil(seconds * 1000);
  const wallS = (performance.now() - t) / 1000;
  const rows = world.summary();
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
  return {
    motes,
    seconds,
    wallS,
    events: world.events,
    links,
    sent: sum((r) => r.sent),
    received: sum((r) => r.received),
    collided: sum((r) => r.collided),
    averageMa: sum((r) => r.averageMa) / rows.length,
  };
}

const millions = (n: number) => `${(n / 1e6).toFixed(1)}M`;

export async function simBenchmarks(progress: (m: string) => void): Promise<SimBenchmarkResult[]> {
  const results: SimBenchmarkResult[] = [];

  progress("sim: 1,000 Blink motes for one simulated hour");
  const blink = await image("configurations/BlinkAppC.ts");
  const world = new World({ seed: 1, keepDebug: false });
  world.addMotes(1000, blink, { bootSpreadMs: 1000 });
  world.runUntil(1000); // boot them all, warm up
  const e0 = world.events;
  let t = performance.now();
  world.runUntil(3_600_000);
  const blinkS = (performance.now() - t) / 1000;
  const perS = (world.events - e0) / blinkS;
  results.push({
    key: "sim_blink_1000x3600_events_per_s",
    value: Math.round(perS),
    unit: "events/s",
    target: ">= 1000000",
    met: perS >= 1_000_000,
    detail: `${millions(world.events)} events (one per alarm interrupt) in ${blinkS.toFixed(1)} s, ${(3600 / blinkS).toFixed(0)}× real time; TOSSIM (C++, -O3): 45 s`,
  });

  progress("sim: 1,024 beacon motes on a 32×32 grid for 10 simulated minutes");
  t = performance.now();
  const small = await beacon(1024, 600);
  const speedup = small.seconds / small.wallS;
  results.push({
    key: "sim_beacon_1024x600_speedup",
    value: speedup,
    unit: "sim s / wall s",
    target: ">= 60",
    met: speedup >= 60,
    detail: `${small.wallS.toFixed(1)} s wall, ${millions(small.events)} events, ${small.links} links; ${millions(small.sent)} beacons sent, ${millions(small.received)} received, ${millions(small.collided)} collided; ${small.averageMa.toFixed(2)} mA per mote`,
  });

  if (process.env.MOTE_BENCH_QUICK === "1") {
    progress("sim: 10,000 beacon motes skipped (MOTE_BENCH_QUICK=1)");
    return results;
  }
  progress("sim: 10,000 beacon motes on a 100×100 grid for 10 simulated minutes (a few minutes, in a child process)");
  const big = await beaconInChild(10_000, 600, (s) => progress(`sim: 10,000 motes: ${s} of 600 simulated seconds`));
  results.push({
    key: "sim_beacon_10000x600_wall_s",
    value: big.wallS,
    unit: "s",
    target: "< 600",
    met: big.wallS < 600,
    detail: `${(big.seconds / big.wallS).toFixed(1)}× real time, ${millions(big.events)} events, ${big.links} links; ${millions(big.sent)} beacons sent, ${millions(big.received)} received, ${millions(big.collided)} collided`,
  });
  results.push({
    key: "sim_beacon_10000x600_peak_mb",
    value: big.peakMb,
    unit: "MB",
    target: "< 4096",
    met: big.peakMb < 4096,
    detail: "peak resident memory of the process that built the image and ran the 10,000 motes",
  });
  return results;
}

/** Runs `beacon` in a child process and reads back its result and peak memory. */
function beaconInChild(motes: number, seconds: number, onProgress: (simS: number) => void): Promise<BeaconRun & { peakMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", path.join(ROOT, "tools/register.js"), THIS_FILE, CHILD_FLAG, String(motes), String(seconds)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      for (const m of d.toString().matchAll(/^progress (\d+)$/gm)) onProgress(Number(m[1]));
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) {
        reject(new Error(`the ${motes}-mote benchmark failed (exit ${code}): ${err.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(out) as BeaconRun & { peakMb: number });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === THIS_FILE) {
  if (process.argv[2] === CHILD_FLAG) {
    const motes = Number(process.argv[3]);
    const seconds = Number(process.argv[4]);
    let last = 0;
    const run = await beacon(motes, seconds, (s) => {
      if (s - last >= 60) {
        last = s;
        process.stderr.write(`progress ${s}\n`);
      }
    });
    const peakMb = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(JSON.stringify({ ...run, peakMb }));
  } else {
    const results = await simBenchmarks((m) => process.stderr.write(`  ${m}\n`));
    for (const r of results) {
      const value = Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(2);
      console.log(`${r.key.padEnd(34)} ${value.padStart(10)} ${r.unit.padEnd(15)} ${r.target.padEnd(11)} ${r.met ? "yes" : "NO "}  ${r.detail}`);
    }
  }
}
