import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../tools/build/build.ts";
import { simCommand } from "../tools/sim/simCommand.ts";
import { ManualClock } from "./fixtures/sim/ManualClock.ts";

const run = promisify(execFile);
const MOTE = path.join(ROOT, "tools/cli/mote.js");
const BEACON = "test/fixtures/sim/BeaconProbeAppC.ts";
const out = mkdtempSync(path.join(tmpdir(), "mote-sim-cli-"));
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

interface SimJson {
  app: string;
  motes: number;
  topology: string;
  seed: number;
  seconds: number;
  events: number;
  links: number;
  totals: { sent: number; received: number; lost: number; collided: number; averageMa: number };
  summary: { id: number; sent: number; received: number; lost: number; collided: number; averageMa: number; ledToggles: number; lifetimeDays: number | null }[];
}

interface TraceLine {
  t: number;
  ev: string;
  src?: number;
  dst?: number;
  dbm?: number | null;
  result?: string;
  mote?: number;
  channel?: string;
  msg?: string;
}

describe("mote sim", () => {
  it("--json gives the summary per mote, the same for the same seed; --trace writes JSON lines", async () => {
    const trace = path.join(out, "run.jsonl");
    const args = ["sim", BEACON, "--topology", "grid:3x3", "--seconds", "20", "--seed", "7", "--no-typecheck"];
    const a = await mote(...args, "--json", "--trace", trace);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe(""); // no progress bar when stderr is not a terminal
    const r = JSON.parse(a.stdout) as SimJson;
    expect(r).toMatchObject({ app: "BeaconProbeAppC", motes: 9, topology: "grid:3x3", seed: 7, seconds: 20 });
    expect(r.summary).toHaveLength(9);
    expect(r.summary.every((m) => m.sent >= 18 && m.averageMa > 3)).toBe(true);
    expect(r.totals.sent).toBe(r.summary.reduce((s, m) => s + m.sent, 0));
    expect(r.totals.received).toBeGreaterThan(0);
    const b = JSON.parse((await mote(...args, "--json")).stdout) as SimJson;
    expect(b.summary).toEqual(r.summary);
    expect(b.events).toBe(r.events);
    const lines = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { ev: string; t: number });
    expect(lines.filter((l) => l.ev === "tx").length).toBe(r.summary.reduce((s, m) => s + m.sent, 0));
    expect(lines.filter((l) => l.ev === "energy")).toHaveLength(9);
    expect(lines.every((l, i) => i === 0 || l.t >= lines[i - 1]!.t)).toBe(true);
  });

  it("prints a summary table; reads a TOSSIM topology file; runs a world script; shows debug channels", async () => {
    const trace = path.join(out, "script.jsonl");
    const r = await mote(
      "sim", BEACON, "--topology", "test/fixtures/sim/line.topology", "--seconds", "10",
      "--script", "test/fixtures/sim/cutLink.ts", "--dbg", "received", "--trace", trace, "--no-typecheck",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^BeaconProbeAppC: 3 motes, line\.topology, 4 links, seed 1$/m);
    expect(r.stdout).toMatch(/10\.0 s simulated in [\d.]+ s \([\d.]+× real time\), [\d,]+ events/);
    expect(r.stdout).toMatch(/^mote +sent +received +lost +collided +acked +avg mA +life \(days\) +LED toggles$/m);
    expect(r.stdout).toMatch(/^all /m);
    expect(r.stdout).toMatch(/^ +[\d.]+ s  mote 1  \[received\] \d+$/m);
    // Mote 1 stops hearing mote 0 at 5 s (the script) but still hears mote 2.
    const events = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l) as TraceLine);
    expect(events.filter((e) => e.ev === "gain" && e.t === 5)).toEqual([{ t: 5, ev: "gain", src: 0, dst: 1, dbm: null }]);
    const heard = (src: number) => events.filter((e) => e.ev === "rx" && e.src === src && e.dst === 1 && e.result === "delivered");
    expect(heard(0).length).toBeGreaterThanOrEqual(3); // beacons at 1..4 s (+ backoff)
    expect(heard(0).every((e) => e.t < 5)).toBe(true);
    expect(events.some((e) => e.ev === "tx" && e.src === 0 && e.t > 5)).toBe(true); // mote 0 still sends
    expect(heard(2).filter((e) => e.t > 5).length).toBeGreaterThanOrEqual(4);
    // The count mote 1 reports each second (the --dbg lines, also in the trace as dbg lines) grows by two before the cut, one after.
    const reports = events.filter((e) => e.ev === "dbg" && e.mote === 1 && e.channel === "received");
    const growth = reports.map((e, i) => ({ t: e.t, by: Number(e.msg) - (i === 0 ? 0 : Number(reports[i - 1]!.msg)) }));
    expect(growth.filter((g) => g.t < 5).map((g) => g.by)).toEqual([2, 2, 2, 2]);
    expect(growth.filter((g) => g.t > 5).map((g) => g.by)).toEqual([1, 1, 1, 1, 1]);
    const printed = r.stdout.split("\n").filter((l) => /mote 1 {2}\[received\]/.test(l));
    expect(printed.map((l) => l.split(" ").at(-1))).toEqual(reports.map((e) => e.msg));
  });

  it("refuses a topology file naming mote 65535 (the broadcast address), with file:line, not a crash", async () => {
    const r = await mote("sim", BEACON, "--topology", "test/fixtures/sim/broadcast.topology", "--no-typecheck");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'mote: test/fixtures/sim/broadcast.topology:3: dst must be a node id 0..65534 (65535 is the broadcast address): "gain 0 65535 -60"\n',
    );
  });

  it("a topology file sizes the world unless --motes says; lines naming motes outside it are ignored with a warning", async () => {
    const file = "test/fixtures/sim/line.topology";
    const args = ["sim", BEACON, "--topology", file, "--seconds", "3", "--json", "--no-typecheck"];
    const own = await mote(...args);
    expect(own.stderr).toBe("");
    expect(JSON.parse(own.stdout)).toMatchObject({ motes: 3, links: 4 });
    // More motes than the file names: the others have no links (and hear nothing).
    const more = await mote(...args, "--motes", "4");
    expect(more.stderr).toBe("");
    const m = JSON.parse(more.stdout) as SimJson;
    expect(m).toMatchObject({ motes: 4, links: 4 });
    expect(m.summary[3]!.received).toBe(0);
    expect(m.summary[3]!.sent).toBeGreaterThan(0);
    // Fewer: the lines about mote 2 are left out, and said so.
    const fewer = await mote(...args, "--motes", "2");
    expect(fewer.code).toBe(0);
    expect(fewer.stderr).toBe(
      `mote: warning: ${file}: lines 4, 5, 8 ignored: mote 2 not in a world of 2 motes (0..1); leave out --motes to make every mote the file names\n`,
    );
    expect(JSON.parse(fewer.stdout)).toMatchObject({ motes: 2, links: 2 });
  });

  it("places random:N[,area=WxH] motes from the command line, the same for the same seed", async () => {
    const args = ["sim", BEACON, "--topology", "random:30,area=60x60", "--seconds", "3", "--json", "--no-typecheck"];
    const a = JSON.parse((await mote(...args)).stdout) as SimJson;
    expect(a).toMatchObject({ motes: 30, topology: "random:30,area=60x60" });
    expect(a.summary).toHaveLength(30);
    expect(a.links).toBeGreaterThan(30);
    expect(a.totals.received).toBeGreaterThan(0);
    expect((JSON.parse((await mote(...args)).stdout) as SimJson).summary).toEqual(a.summary);
    const fewer = JSON.parse((await mote(...args, "--motes", "10")).stdout) as SimJson;
    expect(fewer.motes).toBe(10);
    expect(fewer.links).toBeLessThan(a.links);
  });

  it("refuses a topology file with a bad line, naming the file and line", async () => {
    const r = await mote("sim", BEACON, "--topology", "test/fixtures/sim/bad.topology", "--no-typecheck");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/test\/fixtures\/sim\/bad\.topology:3: expected a "gain <src> <dst> <dBm>" or "noise/);
  });

  it("explains bad usage", async () => {
    const missing = await mote("sim");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("sim needs a configuration file");
    expect(missing.stderr).toContain("mote sim <configuration.ts>");
    const tooMany = await mote("sim", BEACON, "--topology", "grid:2x2", "--motes", "5", "--no-typecheck");
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain("grid:2x2 has 4 places for 5 motes");
    const serial = await mote("sim", BEACON, "--serial", "0=tty");
    expect(serial.code).toBe(2);
    expect(serial.stderr).toContain("--serial takes <mote>=pty");
    const layout = await mote("sim", BEACON, "--topology", "grid:axb");
    expect(layout.code).toBe(1);
    expect(layout.stderr).toContain("expected grid:<columns>x<rows>");
  });

  it("--realtime paces virtual time to the clock; --progress draws a bar on stderr", async () => {
    const clock = new ManualClock();
    let stdout = "";
    let stderr = "";
    const io = { out: (t: string) => (stdout += t), err: (t: string) => (stderr += t), tty: false, clock };
    const args = [BEACON, "--motes", "4", "--seconds", "1.5", "--realtime", "--no-typecheck"];
    expect(await simCommand([...args, "--progress"], io)).toBe(0);
    // The clock moved only while the simulator waited for it: 1.5 s, in sleeps of at most 20 ms.
    expect(clock.ms).toBeGreaterThanOrEqual(1500);
    expect(clock.ms).toBeLessThanOrEqual(1501);
    expect(clock.sleeps).toBeGreaterThanOrEqual(75);
    expect(stdout).toMatch(/^1\.5 s simulated in 1\.50 s \(1\.00× real time\)/m);
    expect(stderr).toMatch(/\[#+\.*\] +\d+%/);
    expect(stderr.endsWith("\r\x1b[K")).toBe(true); // the bar is wiped before the summary
    // Without --progress, a stderr that is not a terminal gets no bar.
    stderr = "";
    expect(await simCommand(args, io)).toBe(0);
    expect(stderr).toBe("");
  });
});
