/**
 * `npm run bench`: every benchmark, measured side by side in one run.
 * `npm run bench -- --json` prints one JSON object instead of the table.
 *
 * XS figures come from the engine's deterministic compute meter and live
 * heap-slot count; Node and build figures are wall-clock medians.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, ROOT } from "../tools/build/build.ts";
import { benchHostScript, eventCostOnXs } from "../tools/xs/moteOnXs.ts";
import { writeChainApp } from "./generate.ts";

interface Result {
  readonly key: string;
  readonly value: number;
  readonly unit: string;
  readonly target: string;
  readonly met: boolean;
  readonly detail: string;
}

const json = process.argv.includes("--json");
const results: Result[] = [];
const progress = (message: string) => {
  if (!json) process.stderr.write(`  ${message}\n`);
};

function record(key: string, value: number, unit: string, target: string, met: boolean, detail: string) {
  results.push({ key, value, unit, target, met, detail });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function timeBuild(entry: string, runs: number, typecheck = true): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await build({ entry, platform: "sim", write: false, typecheck });
    times.push(performance.now() - t);
  }
  return median(times);
}

const blinkEntry = path.join(ROOT, "configurations/BlinkAppC.ts");

// --- images and builds
progress("building BlinkAppC");
const blink = await build({ entry: blinkEntry, platform: "sim", write: false });
record(
  "blink_image_bytes_min",
  blink.bytes.minified,
  "bytes",
  "<= 2048",
  blink.bytes.minified <= 2048,
  `raw ${blink.bytes.raw}, gzip ${blink.bytes.gzip}`,
);
progress("timing builds");
await timeBuild(blinkEntry, 1); // warm caches
const blinkMs = await timeBuild(blinkEntry, 5);
record("build_blink_ms", blinkMs, "ms", "< 500", blinkMs < 500, "median of 5 builds, tsc type check included");
const blinkWiringMs = await timeBuild(blinkEntry, 5, false);
record("build_blink_no_typecheck_ms", blinkWiringMs, "ms", "(none)", true, "the same without tsc: elaborate, check, generate, bundle");
const chain = writeChainApp(1000);
const chainReport = await build({ entry: chain, platform: "sim", write: false });
const chainMs = await timeBuild(chain, 3);
record(
  "build_1000_instances_ms",
  chainMs,
  "ms",
  "< 5000",
  chainMs < 5000,
  `${chainReport.instances.modules} modules, ${chainReport.instances.configurations} configurations; median of 3`,
);

// --- per-event cost on XS: the framework's Blink against the same components
// wired by hand (direct calls), and against Blink inlined into one function
progress("measuring Blink on XS (100,000 timer events each)");
const events = 100_000;
const wired = await eventCostOnXs(blink.image, "mote(benchHost)", events);
const direct = await eventCostOnXs("", "directBlink(benchHost)", events);
const inlined = await eventCostOnXs("", "inlinedBlink(benchHost)", events);
for (const other of [direct, inlined]) {
  if (wired.toggles !== other.toggles) throw new Error(`Blink variants disagree: ${wired.toggles} vs ${other.toggles} LED toggles`);
}
const xsRatio = wired.computePerEvent / direct.computePerEvent;
record(
  "xs_wired_vs_direct",
  xsRatio,
  "ratio",
  "<= 1.10",
  xsRatio <= 1.1,
  `${wired.computePerEvent.toFixed(1)} vs ${direct.computePerEvent.toFixed(1)} compute units per timer event (same components, wired by hand)`,
);
const xsInlined = wired.computePerEvent / inlined.computePerEvent;
record(
  "xs_wired_vs_inlined",
  xsInlined,
  "ratio",
  "(none)",
  true,
  `${wired.computePerEvent.toFixed(1)} vs ${inlined.computePerEvent.toFixed(1)} compute units per timer event (Blink as one hand-written function)`,
);
record(
  "xs_heap_growth_slots",
  wired.heapGrowth,
  "slots",
  "0",
  wired.heapGrowth === 0,
  `live heap-slot growth over ${events} timer events after warm-up (direct: ${direct.heapGrowth}, inlined: ${inlined.heapGrowth})`,
);

// --- the same in Node's time
progress("measuring Blink in Node (alternating rounds)");
// Each in its own function scope in this realm (a vm context would slow every global access).
function nodeRunner(prelude: string, start: string) {
  const scope: Record<string, unknown> = {};
  return new Function("globalThis", `${benchHostScript()}\n${prelude}\n${start};\nreturn runEvents;`)(scope) as (
    n: number,
  ) => number;
}
const wiredNode = nodeRunner(`${blink.image}\nvar mote = globalThis.mote;`, "mote(benchHost)");
const directNode = nodeRunner("", "directBlink(benchHost)");
const nodeEvents = 500_000;
wiredNode(nodeEvents); // warm up the JIT
directNode(nodeEvents);
const wiredTimes: number[] = [];
const directTimes: number[] = [];
for (let round = 0; round < 7; round++) {
  let t = performance.now();
  wiredNode(nodeEvents);
  wiredTimes.push(performance.now() - t);
  t = performance.now();
  directNode(nodeEvents);
  directTimes.push(performance.now() - t);
}
const nodeRatio = median(wiredTimes) / median(directTimes);
record(
  "node_wired_vs_direct",
  nodeRatio,
  "ratio",
  "<= 1.10",
  nodeRatio <= 1.1,
  `${((median(wiredTimes) * 1e6) / nodeEvents).toFixed(1)} vs ${((median(directTimes) * 1e6) / nodeEvents).toFixed(1)} ns per timer event (same components wired by hand; median of 7 alternating rounds)`,
);

// --- the other parts' benchmarks, each in its own file
type BenchmarkSet = (progress: (m: string) => void) => Promise<Result[]>;
const parts: [string, string][] = [
  ["images.ts", "imageBenchmarks"],
  ["serial.ts", "serialBenchmarks"],
  ["flash.ts", "flashBenchmarks"],
  ["oscilloscope.ts", "oscilloscopeBenchmarks"],
  ["collection.ts", "collectionBenchmarks"],
  ["basestation.ts", "basestationBenchmarks"],
  ["sim.ts", "simBenchmarks"],
];
for (const [file, name] of parts) {
  const full = path.join(ROOT, "bench", file);
  if (!existsSync(full)) continue;
  const mod = (await import(pathToFileURL(full).href)) as Record<string, BenchmarkSet>;
  const run = mod[name];
  if (typeof run !== "function") throw new Error(`bench/${file} does not export ${name}`);
  for (const r of await run(progress)) record(r.key, r.value, r.unit, r.target, r.met, r.detail);
}

if (json) {
  const out: Record<string, unknown> = {};
  for (const r of results) out[r.key] = Number.isInteger(r.value) ? r.value : Number(r.value.toFixed(3));
  out.details = Object.fromEntries(results.map((r) => [r.key, { unit: r.unit, target: r.target, met: r.met, detail: r.detail }]));
  out.node = process.version;
  out.package = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
  console.log(JSON.stringify(out, null, 2));
} else {
  const rows = results.map((r) => [
    r.key,
    Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(3),
    r.unit,
    r.target,
    r.met ? "yes" : "NO",
    r.detail,
  ]);
  const header = ["benchmark", "value", "unit", "target", "met", "detail"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 5 ? c : c.padEnd(widths[i]!))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}
