import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { knownPlatforms, ROOT } from "../tools/build/build.ts";

const run = promisify(execFile);
const MOTE = path.join(ROOT, "tools/cli/mote.js");
const out = mkdtempSync(path.join(tmpdir(), "mote-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function mote(...args: string[]) {
  try {
    const r = await run(process.execPath, [MOTE, ...args], { cwd: ROOT });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("the mote command", () => {
  it("build writes the image and prints its report; --json gives the same as JSON", async () => {
    const table = await mote("build", "configurations/NullAppC.ts", "--platform", "sim", "--out", out);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/NullAppC for sim/);
    for (const row of ["bytes raw", "bytes minified", "bytes gzip", "component instances", "tasks", "timers", "static buffers"]) {
      expect(table.stdout).toContain(row);
    }
    const image = readFileSync(path.join(out, "NullAppC.js"), "utf8");
    const json = await mote("build", "configurations/NullAppC.ts", "--platform", "sim", "--out", out, "--json");
    const report = JSON.parse(json.stdout) as { app: string; bytes: { minified: number; raw: number; gzip: number }; timers: number };
    expect(report.app).toBe("NullAppC");
    expect(report.bytes.minified).toBe(Buffer.byteLength(image));
    expect(report.bytes.raw).toBeGreaterThan(report.bytes.minified);
    expect(report.timers).toBe(0);
    expect(table.stdout).toContain(`bytes minified               ${report.bytes.minified}`);
  });

  it("a refused build exits 1, names file and line, and writes no image", async () => {
    const r = await mote("build", "test/fixtures/build/UnwiredCommandAppC.ts", "--platform", "sim", "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/UnwiredCommandAppC\.ts:\d+:\d+: error: .*not connected/);
    expect(r.stderr).toContain("no image written");
    expect(() => readFileSync(path.join(out, "UnwiredCommandAppC.js"))).toThrow();
  });

  it("an unknown platform lists the known ones; bad usage exits 2 with the usage", async () => {
    const r = await mote("build", "configurations/BlinkAppC.ts", "--platform", "nosuch");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`unknown platform \`nosuch'; known platforms: ${knownPlatforms().join(", ")}`);
    const usage = await mote("frobnicate");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage:");
    const missing = await mote("build");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("needs a configuration file");
  });

  it("graph prints DOT, or writes SVG to a file", async () => {
    const dot = await mote("graph", "configurations/BlinkAppC.ts");
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^\/\/ mote graph/);
    expect(dot.stdout).toContain('digraph "BlinkAppC"');
    const file = path.join(out, "blink.svg");
    const svg = await mote("graph", "configurations/BlinkAppC.ts", "-o", file);
    expect(svg.code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/<svg[\s\S]*BlinkC[\s\S]*<\/svg>/);
  });

  it("run starts Blink on the node platform (the default, or named) and prints LED changes in order", async () => {
    const runs = await Promise.all([
      mote("run", "configurations/BlinkAppC.ts", "--seconds", "1.6"),
      mote("run", "configurations/BlinkAppC.ts", "--platform", "node", "--seconds", "1.6"),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^BlinkAppC: node 1 running in real time/);
      const changes = r.stdout.split("\n").filter((l) => /LED\d/.test(l)).map((l) => /LED(\d) (on|off)/.exec(l)!.slice(1).join(" "));
      // The order of changes in the first second is fixed by the periods, whatever the machine's speed.
      expect(changes.slice(0, 7)).toEqual(["0 on", "0 off", "1 on", "0 on", "0 off", "1 off", "2 on"]);
      expect(r.stdout).toMatch(/stopped after \d+ LED changes/);
    }
  });

  it("run refuses another platform, pointing at mote sim", async () => {
    const r = await mote("run", "configurations/BlinkAppC.ts", "--platform", "sim", "--seconds", "1");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("run starts one mote in real time on the node platform; use `mote sim` for simulated motes");
  });
});
