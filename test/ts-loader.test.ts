/**
 * The loader that lets Node run the tools' TypeScript (tools/register.js):
 * it compiles as modules load, and once loading is done it stops esbuild's
 * child process, which would otherwise live (and ping the loader thread
 * every second) for as long as the program runs: weeks, for a base station.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { MoteEnd, oscFrame, tempDir, waitFor } from "./fixtures/basestation/support.ts";
import { esbuildRunning } from "./fixtures/loader/children.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


function node(args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  cleanups.push(() => child.exitCode === null && child.kill("SIGKILL"));
  return { child, out: () => out };
}

describe("the TypeScript loader", () => {
  it("stops esbuild's process once modules stop loading, and starts it again for a later import", async () => {
    const dir = tempDir(cleanups, "mote-loader-");
    writeFileSync(path.join(dir, "first.ts"), "export const first: number = 1;\n");
    writeFileSync(path.join(dir, "second.ts"), "interface Pair { a: number; b: number }\nexport const second = ({ a: 2, b: 3 } satisfies Pair).a;\n");
    const script = `
      const { esbuildRunning } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "test/fixtures/loader/children.ts")).href)});
      const { first } = await import(${JSON.stringify(pathToFileURL(path.join(dir, "first.ts")).href)});
      // Seen from inside, at once (well within the loader's idle second): esbuild compiled it and still runs.
      console.log("first", first, esbuildRunning(process.pid) ? "esbuild running" : "no esbuild");
      process.stdin.once("data", async () => {
        const { second } = await import(${JSON.stringify(pathToFileURL(path.join(dir, "second.ts")).href)});
        console.log("second", second);
        process.exit(0);
      });`;
    const run = node(["--import", "./tools/register.js", "--input-type=module", "-e", script]);
    await waitFor("the first module", () => run.out().includes("first 1"), 30_000);
    // Without this the checks below could pass with a /proc scan that never finds esbuild.
    expect(run.out()).toBe("first 1 esbuild running\n");
    await waitFor("esbuild's process to stop", () => !esbuildRunning(run.child.pid!));
    run.child.stdin!.write("go\n");
    await waitFor("the second module, compiled after esbuild was stopped", () => run.out().includes("second 2") || run.child.exitCode !== null, 30_000);
    expect(run.out()).toBe("first 1 esbuild running\nsecond 2\n");
  });

  it("leaves a running base station without esbuild's process, still storing what arrives", async () => {
    const dir = tempDir(cleanups);
    const link = await PtyLink.open();
    cleanups.push(() => link.close());
    const run = node([path.join(ROOT, "tools/cli/mote.js"), "basestation", "--port", link.host, "--db", path.join(dir, "r.sqlite"), "--http", "127.0.0.1:0"]);
    const api = await waitFor("the api address", () => /^ {2}api +(\S+)$/m.exec(run.out())?.[1], 30_000);
    await waitFor("esbuild's process to stop", () => !esbuildRunning(run.child.pid!));
    const m = await MoteEnd.open(link.mote);
    cleanups.push(() => m.close());
    await m.write(oscFrame(7, 1));
    const stored = await waitFor("the packet stored", async () => {
      const stats = (await (await fetch(`${api}/stats`)).json()) as { storage: { packets: number } };
      return stats.storage.packets > 0 && stats.storage.packets;
    });
    expect(stored).toBe(1);
    expect(esbuildRunning(run.child.pid!)).toBe(false);
  });
});
