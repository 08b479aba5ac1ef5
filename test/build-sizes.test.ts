/**
 * Build-time sizes (tools/build/build.ts BUILD_SIZES), TinyOS's
 * `#ifndef FORWARD_COUNT #define FORWARD_COUNT 12`: the component's default,
 * lowered by a small board's description, overridden by the configuration's
 * own `export const FORWARD_COUNT = n;` (TinyOS: CFLAGS in the Makefile);
 * a bad value refused at its file:line.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_FORWARD_COUNT } from "../components/collection/Ctp.ts";
import { ESPRUINO_BOARDS } from "../platforms/espruino/boards.ts";
import { build, BUILD_SIZES, type BuildReport, buildSizes, ROOT } from "../tools/build/build.ts";
import { BuildError, type Diagnostic } from "../tools/build/diagnostics.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mote-sizes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration that declares FORWARD_COUNT on its fourth line, around MultihopOscilloscopeAppC. */
function declaring(name: string, value: string): string {
  const file = path.join(dir, `${name}.ts`);
  const at = (p: string) => JSON.stringify(path.join(ROOT, p));
  writeFileSync(
    file,
    [
      `import { configuration } from ${at("components/mote.ts")};`,
      `import { MultihopOscilloscopeAppC } from ${at("configurations/MultihopOscilloscopeAppC.ts")};`,
      `/** MultihopOscilloscope with its own forwarding pool. */`,
      `export const FORWARD_COUNT = ${value};`,
      `export const ${name} = configuration("${name}", {}, (c) => {`,
      `  c.component(MultihopOscilloscopeAppC);`,
      `});`,
      ``,
    ].join("\n"),
  );
  return file;
}

const multihop = path.join(ROOT, "configurations", "MultihopOscilloscopeAppC.ts");
const buildOf = (entry: string, platform: string, board?: string): Promise<BuildReport> =>
  build({ entry, platform, board, write: false, typecheck: false });
const forwardCount = (r: BuildReport) => r.sizes.find((s) => s.name === "FORWARD_COUNT")!;
const refusal = async (p: Promise<unknown>): Promise<Diagnostic> => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(BuildError);
  return (e as BuildError).diagnostics[0]!;
};

describe("FORWARD_COUNT", () => {
  it("is the default (CtpP's 12) on the simulator and in Node", async () => {
    expect(DEFAULT_FORWARD_COUNT).toBe(12);
    for (const platform of ["sim", "node"]) {
      expect(forwardCount(await buildOf(multihop, platform))).toEqual({ name: "FORWARD_COUNT", value: 12, default: 12, source: "the default" });
    }
  });

  it("is lowered by the small nRF52 boards' descriptions, and the pool shrinks with it", async () => {
    for (const board of ["puckjs", "mdbt42q"]) {
      const setting = forwardCount(await buildOf(multihop, "espruino", board));
      expect(setting.source).toBe(`board ${board}`);
      expect(setting.value).toBe(ESPRUINO_BOARDS[board]!.defines!.FORWARD_COUNT);
      expect(setting.value).toBeLessThan(DEFAULT_FORWARD_COUNT);
    }
    // On the MDBT42Q, which has JsVars to spare, the board's 4 against the configuration's 12: eight message buffers fewer.
    const small = await buildOf(multihop, "espruino", "mdbt42q");
    const full = await buildOf(declaring("TwelveForwardAppC", "12"), "espruino", "mdbt42q");
    expect(forwardCount(small).value).toBe(4);
    expect(forwardCount(full)).toMatchObject({ value: 12, source: "set in TwelveForwardAppC.ts:4" });
    expect(full.figures.jsVarsAtBoot! - small.figures.jsVarsAtBoot!).toBeGreaterThanOrEqual(8 * 10);
  });

  it("the configuration's declaration wins over the board's", async () => {
    const report = await buildOf(declaring("SixForwardAppC", "6"), "espruino", "mdbt42q");
    expect(forwardCount(report)).toEqual({ name: "FORWARD_COUNT", value: 6, default: 12, source: "set in SixForwardAppC.ts:4" });
  });

  it("refuses a value out of range or not written out, at its file:line", async () => {
    const zero = await refusal(buildOf(declaring("NoForwardAppC", "0"), "sim"));
    const { min, max } = BUILD_SIZES.FORWARD_COUNT!;
    expect(zero.message).toBe(`FORWARD_COUNT 0 (set in NoForwardAppC.ts:4) must be ${min}..${max}: the number of CTP's forwarding buffers (CtpP)`);
    expect(zero.location).toMatchObject({ file: path.join(dir, "NoForwardAppC.ts"), line: 4 });
    const computed = await refusal(buildOf(declaring("ComputedForwardAppC", "2 * 2"), "sim"));
    expect(computed.message).toBe("FORWARD_COUNT must be a whole number written out (the build reads it before running anything), got `2 * 2'");
    expect(computed.location).toMatchObject({ file: path.join(dir, "ComputedForwardAppC.ts"), line: 4, column: 30 });
  });

  it("refuses a board that sets a size the build does not know, or one out of range", () => {
    const board = (defines: Record<string, number>) => ({ name: "tiny", summary: "a test board", defines });
    expect(() => buildSizes(multihop, board({ FORWARD_COUNTS: 4 }))).toThrow("board tiny sets `FORWARD_COUNTS', which no build size is; known: FORWARD_COUNT, LEDS_ACTIVE_LOW");
    expect(() => buildSizes(multihop, board({ FORWARD_COUNT: 1000 }))).toThrow(BuildError);
  });

  it("mote build shows the value where it is not the default, and who set it", async () => {
    const mote = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(ROOT, "tools/cli/mote.js"), ...args, "--no-typecheck", "--out", dir], { cwd: ROOT });
    const puck = await mote("build", "configurations/MultihopOscilloscopeAppC.ts", "--platform", "espruino", "--board", "puckjs");
    expect(puck.stdout).toMatch(/FORWARD_COUNT +4 \(board puckjs; default 12\)/);
    const sim = await mote("build", "configurations/MultihopOscilloscopeAppC.ts", "--platform", "sim");
    expect(sim.stdout).not.toContain("FORWARD_COUNT");
  });
});
