/**
 * Oscilloscope's cost on XS: the sample-and-send path of OscilloscopeAppC
 * (a timer tick, a split-phase sensor read through a task, the reading
 * stored; every tenth tick the message filled and sent through AMSenderC,
 * the AM queue, ActiveMessageP and the radio HAL, and its send-done coming
 * back up) against the same components wired by hand
 * (bench/oscilloscopeHost.js, `directOscilloscope`), as bench/run.ts
 * measures Blink against `directBlink`.
 *
 * Both run on the bench host with a radio and a sensor
 * (bench/oscilloscopeHost.js). Before measuring, both are run in Node for
 * the same number of samples and must agree on every LED toggle and on a
 * checksum of every frame they sent.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { build, ROOT } from "../tools/build/build.ts";
import { benchHostScript, eventCostOnXs } from "../tools/xs/moteOnXs.ts";

export interface OscilloscopeBenchResult {
  key: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
  detail: string;
}

/** The radio-and-sensor bench host and `directOscilloscope`, evaluated after tools/xs/benchHost.js. */
export const oscilloscopeHostScript = (): string => readFileSync(path.join(ROOT, "bench", "oscilloscopeHost.js"), "utf8");

interface Outcome {
  toggles: number;
  frames: number;
  frameSum: number;
}

/** Runs a variant in Node for `samples` samples: what it did, for comparing the two. */
function runInNode(prelude: string, start: string, samples: number): Outcome {
  const scope: Record<string, unknown> = {};
  const run = new Function(
    "globalThis",
    `${benchHostScript()}\n${oscilloscopeHostScript()}\n${prelude}\n${start};\nreturn function (n) { runEvents(n); return { toggles: benchToggles, frames: benchFrames, frameSum: benchFrameSum }; };`,
  )(scope) as (n: number) => Outcome;
  return run(samples);
}

export async function oscilloscopeBenchmarks(progress: (m: string) => void): Promise<OscilloscopeBenchResult[]> {
  progress("building OscilloscopeAppC");
  const report = await build({ entry: path.join(ROOT, "configurations", "OscilloscopeAppC.ts"), platform: "sim", write: false, typecheck: false });
  const wiredPrelude = `${report.image}\nvar mote = globalThis.mote;`;

  const check = 2_000;
  const a = runInNode(wiredPrelude, "mote(benchHost)", check);
  const b = runInNode("", "directOscilloscope(benchHost)", check);
  if (a.toggles !== b.toggles || a.frames !== b.frames || a.frameSum !== b.frameSum) {
    throw new Error(`Oscilloscope variants disagree over ${check} samples: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  if (a.frames !== Math.floor((check - 1) / 10)) throw new Error(`Oscilloscope sent ${a.frames} frames in ${check} samples`);

  const samples = 50_000;
  progress(`measuring Oscilloscope on XS (${samples.toLocaleString("en")} samples each, a frame every 10)`);
  const host = oscilloscopeHostScript();
  const wired = await eventCostOnXs(`${report.image}\n${host}`, "mote(benchHost)", samples);
  const direct = await eventCostOnXs(host, "directOscilloscope(benchHost)", samples);
  if (wired.toggles !== direct.toggles) throw new Error(`Oscilloscope variants disagree on XS: ${wired.toggles} vs ${direct.toggles} LED toggles`);
  const ratio = wired.computePerEvent / direct.computePerEvent;
  return [
    {
      key: "xs_oscilloscope_compute_per_sample",
      value: wired.computePerEvent,
      unit: "compute units",
      target: "<= 1.10 x hand-wired",
      met: ratio <= 1.1,
      detail: `XS compute per sample, a send every 10 samples included; ${ratio.toFixed(3)} x the same components wired by hand (${direct.computePerEvent.toFixed(1)})`,
    },
    {
      key: "xs_oscilloscope_wired_vs_direct",
      value: ratio,
      unit: "ratio",
      target: "<= 1.10",
      met: ratio <= 1.1,
      detail: `${wired.computePerEvent.toFixed(1)} vs ${direct.computePerEvent.toFixed(1)} compute units per sample (OscilloscopeAppC vs its components wired by hand)`,
    },
    {
      key: "xs_oscilloscope_heap_growth_slots",
      value: wired.heapGrowth,
      unit: "slots",
      target: "0",
      met: wired.heapGrowth === 0,
      detail: `live heap-slot growth over ${samples.toLocaleString("en")} samples (${samples / 10} frames) after warm-up (hand-wired: ${direct.heapGrowth})`,
    },
  ];
}
