/**
 * Image sizes: `image_bytes_min_<app>_<platform>`, the minified image of
 * every application in configurations/ for every platform it builds for
 * (sim, espruino, moddable; `node` images are the same as `sim`'s). The
 * targets: Blink within 2,048 bytes and Oscilloscope within 6,144 bytes
 * for espruino (issue 6). The detail gives the gzip
 * size and, for espruino, the JsVars the image holds once started on the
 * default board (Puck.js).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { build, ROOT } from "../tools/build/build.ts";
import { BuildError } from "../tools/build/diagnostics.ts";

export interface ImageBenchmark {
  readonly key: string;
  readonly value: number;
  readonly unit: string;
  readonly target: string;
  readonly met: boolean;
  readonly detail: string;
}

export const IMAGE_PLATFORMS = ["sim", "espruino", "moddable"] as const;

/** Targets by key; keys without one report "(none)" and count as met. */
const TARGETS: Readonly<Record<string, number>> = {
  image_bytes_min_blink_espruino: 2048,
  image_bytes_min_oscilloscope_espruino: 6144,
};

/** `BlinkAppC.ts` -> `blink`, `CountToLedsAppC.ts` -> `counttoleds`. */
export const appKey = (file: string): string => path.basename(file).replace(/AppC\.ts$/, "").toLowerCase();

export async function imageBenchmarks(progress: (m: string) => void): Promise<ImageBenchmark[]> {
  const apps = readdirSync(path.join(ROOT, "configurations"))
    .filter((f) => /AppC\.ts$/.test(f))
    .sort();
  const results: ImageBenchmark[] = [];
  for (const platform of IMAGE_PLATFORMS) {
    for (const file of apps) {
      progress(`image size: ${file} for ${platform}`);
      let report;
      try {
        report = await build({ entry: path.join(ROOT, "configurations", file), platform, write: false, typecheck: false });
      } catch (e) {
        if (e instanceof BuildError) {
          progress(`  ${file} does not build for ${platform}: ${e.diagnostics[0]?.message ?? e.message}`);
          continue;
        }
        throw e;
      }
      const key = `image_bytes_min_${appKey(file)}_${platform}`;
      const limit = TARGETS[key];
      const figures = Object.entries(report.figures)
        .filter(([k]) => k === "jsVarsAtBoot" || k === "jsVarsBudget")
        .map(([k, v]) => `${k} ${v}`);
      results.push({
        key,
        value: report.bytes.minified,
        unit: "bytes",
        target: limit === undefined ? "(none)" : `<= ${limit}`,
        met: limit === undefined || report.bytes.minified <= limit,
        detail: [`gzip ${report.bytes.gzip}`, ...(report.board ? [`board ${report.board}`] : []), ...figures].join(", "),
      });
    }
  }
  return results;
}
