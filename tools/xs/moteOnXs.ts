/**
 * Runs mote images on the XS engine: under the simulator's own host (for
 * behaviour) or under the minimal bench host (for per-event cost).
 */
import * as esbuild from "esbuild";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { LedChange } from "../sim/SimMote.ts";
import { openXs, type XsEngine } from "./XsRunner.ts";

let harness: Promise<string> | undefined;

/** The simulator host (EventQueue + SimMote) as one script for XS. */
export function simHarnessScript(): Promise<string> {
  harness ??= esbuild
    .build({
      entryPoints: [fileURLToPath(new URL("./simHarness.ts", import.meta.url))],
      bundle: true,
      write: false,
      format: "iife",
      target: "es2020",
      logLevel: "silent",
    })
    .then((r) => r.outputFiles[0]!.text);
  return harness;
}

export const benchHostScript = (): string => readFileSync(fileURLToPath(new URL("./benchHost.js", import.meta.url)), "utf8");

/** Boots `image` on a fresh XS machine under the simulator host, runs `ms` of virtual time, returns the LED trace. */
export async function ledTraceOnXs(image: string, ms: number): Promise<LedChange[]> {
  const xs = await openXs({ meteringLimit: 0 });
  try {
    await xs.evaluate(image);
    await xs.evaluate(await simHarnessScript());
    const run = await xs.evaluate(`moteHarness.boot(1); moteHarness.runMs(${ms}); report(moteHarness.ledTrace());`);
    return run.output[0] as LedChange[];
  } finally {
    await xs.close();
  }
}

export interface XsEventCost {
  /** Compute units per alarm event, after warm-up. */
  readonly computePerEvent: number;
  /** Live heap slots after the measured events minus before them. */
  readonly heapGrowth: number;
  readonly events: number;
  readonly toggles: number;
}

/**
 * Per-event cost on XS under the bench host: `start` is an expression that
 * starts the mote on `benchHost` (e.g. `mote(benchHost)` after the image).
 */
export async function eventCostOnXs(prelude: string, start: string, events: number, warmup = 1000): Promise<XsEventCost> {
  const xs: XsEngine = await openXs({ meteringLimit: 0 });
  try {
    await xs.evaluate(benchHostScript());
    if (prelude) await xs.evaluate(prelude);
    await xs.evaluate(`${start};`);
    await xs.evaluate(`runEvents(${warmup});`);
    // The same text, run for 0, 0 and n events, each after a collection.
    // Every evaluation itself leaves a constant few slots behind (the
    // runner's bookkeeping); the two empty runs measure that drift, and what
    // remains of the difference is what the n events allocated.
    const baseline = await xs.evaluate(`report(benchToggles);`);
    await xs.evaluate(`var benchCounts = [0, 0, ${events}], benchRun = 0;`);
    const measure = `gc(); runEvents(benchCounts[benchRun++]);`;
    const empty1 = await xs.evaluate(measure);
    const empty2 = await xs.evaluate(measure);
    const run = await xs.evaluate(measure);
    const after = await xs.evaluate(`report(benchToggles);`);
    const drift = empty2.heapCount - empty1.heapCount;
    return {
      computePerEvent: (run.compute - empty2.compute) / events,
      heapGrowth: run.heapCount - empty2.heapCount - drift,
      events,
      toggles: (after.output[0] as number) - (baseline.output[0] as number),
    };
  } finally {
    await xs.close();
  }
}
