/** Shared test helpers: build an application once per platform, boot simulated motes. */
import path from "node:path";
import { build, type BuildReport, ROOT } from "../tools/build/build.ts";
import { EventQueue } from "../tools/sim/EventQueue.ts";
import { loadImageText, type ImageFactory } from "../tools/sim/image.ts";
import { SimMote, type SimMoteOptions } from "../tools/sim/SimMote.ts";

const cache = new Map<string, Promise<BuildReport>>();

/** Builds `configurations/<app>.ts` (or a path) for `platform`, once per test file. */
export function buildApp(app: string, platform = "sim"): Promise<BuildReport> {
  const entry = app.endsWith(".ts") ? path.resolve(ROOT, app) : path.join(ROOT, "configurations", `${app}.ts`);
  const key = `${entry}@${platform}`;
  let report = cache.get(key);
  if (!report) {
    // Type checking has its own tests (type-errors, build-typecheck); here only behaviour matters.
    report = build({ entry, platform, write: false, typecheck: false });
    cache.set(key, report);
  }
  return report;
}

export async function imageOf(app: string): Promise<ImageFactory> {
  const report = await buildApp(app, "sim");
  return loadImageText(report.image, `${report.app}.js`);
}

/** One simulated mote on its own clock, booted at time 0. */
export async function bootOne(app: string, options: Partial<SimMoteOptions> = {}) {
  const queue = new EventQueue();
  const mote = new SimMote(queue, await imageOf(app), { nodeId: 1, ...options });
  mote.boot();
  return { queue, mote, runMs: (ms: number) => queue.runUntil(ms * 1000) };
}
