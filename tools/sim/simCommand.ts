/**
 * `mote sim <configuration.ts>`: builds the application for the sim
 * platform, runs it on many motes over the simulated radio, and ends with a
 * summary table (or JSON). See docs/simulator.md.
 */
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "../build/build.ts";
import { formatDiagnostic } from "../build/diagnostics.ts";
import { loadImageText } from "./image.ts";
import { SensorTraceError } from "./Sensors.ts";
import { parseLayout, readTopologyFile, TopologyError } from "./Topology.ts";
import { WALL_CLOCK, World, type MoteSummary, type RealtimeClock, type SkippedTopology } from "./World.ts";

export const SIM_USAGE = `usage:
  mote sim <configuration.ts> [--motes N] [--topology grid:WxH[,spacing=m]|random:N[,area=WxH]|file]
           [--seconds S] [--seed N] [--boot-spread ms] [--trace out.jsonl] [--json] [--progress]
           [--serial <mote>=pty] [--realtime] [--dbg channel] [--script world.ts] [--no-typecheck]`;

class SimUsageError extends Error {}

/** What `simCommand` writes to; tests and other tools may pass their own. */
export interface SimIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether the progress bar may draw (stderr is a terminal). */
  readonly tty: boolean;
  /** The clock for timings, the progress bar and `--realtime` (default the wall clock). */
  readonly clock?: RealtimeClock;
}

const processIo: SimIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: process.stderr.isTTY === true,
};

export async function simCommand(argv: string[], io: SimIo = processIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof SimUsageError) {
      io.err(`mote: ${e.message}\n\n${SIM_USAGE}\n`);
      return 2;
    }
    if (e instanceof TopologyError || e instanceof SensorTraceError) {
      io.err(`mote: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        motes: { type: "string", short: "n" },
        topology: { type: "string", short: "t" },
        seconds: { type: "string", short: "s" },
        seed: { type: "string" },
        "boot-spread": { type: "string" },
        trace: { type: "string" },
        json: { type: "boolean", default: false },
        progress: { type: "boolean", default: false },
        serial: { type: "string", multiple: true },
        realtime: { type: "boolean", default: false },
        dbg: { type: "string", multiple: true },
        script: { type: "string" },
        "no-typecheck": { type: "boolean", default: false },
      },
    });
  } catch (e) {
    throw new SimUsageError((e as Error).message);
  }
}

function integer(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new SimUsageError(`--${name} must be an integer ${min}..${max}, got ${value}`);
  return n;
}

/** A world script: a module whose default export sets the world up (gains, schedules, sensors). */
type WorldScript = (world: World) => void | Promise<void>;

async function run(argv: string[], io: SimIo): Promise<number> {
  const { values, positionals } = parse(argv);
  const clock = io.clock ?? WALL_CLOCK;
  const now = () => clock.now();
  const entry = positionals[0];
  if (!entry) throw new SimUsageError("sim needs a configuration file, e.g. configurations/BlinkAppC.ts");
  if (positionals.length > 1) throw new SimUsageError(`sim takes one configuration file, got ${positionals.join(" ")}`);
  let motes = integer(values.motes, "motes", 1, 65535);
  const seed = integer(values.seed, "seed", 0, 0xffffffff) ?? 1;
  const bootSpread = values["boot-spread"] === undefined ? 1000 : Number(values["boot-spread"]);
  if (!(bootSpread >= 0)) throw new SimUsageError(`--boot-spread must be a number of ms >= 0, got ${values["boot-spread"]}`);
  const serial = (values.serial ?? []).map((s) => {
    const m = /^(\d+)=pty$/.exec(s);
    if (!m) throw new SimUsageError(`--serial takes <mote>=pty, e.g. --serial 0=pty; got ${s}`);
    return Number(m[1]);
  });
  const realtime = values.realtime || serial.length > 0;
  let seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(seconds > 0)) throw new SimUsageError(`--seconds must be a positive number, got ${values.seconds}`);
  // On a pseudo-terminal the mote runs until Ctrl-C unless told otherwise.
  if (seconds === undefined && serial.length === 0) seconds = 60;

  // The topology decides the number of motes unless --motes says.
  const topology = values.topology;
  const layout = topology === undefined ? undefined : parseLayout(topology);
  const file = topology !== undefined && layout === undefined ? readTopologyFileChecked(topology) : undefined;
  if (layout) {
    motes ??= layout.count;
    if (motes > layout.count) throw new SimUsageError(`${topology} has ${layout.count} places for ${motes} motes`);
  } else if (file) {
    motes ??= Math.max(file.maxNode + 1, 1);
  }
  motes ??= 1;
  for (const id of serial) if (id >= motes) throw new SimUsageError(`--serial ${id}=pty: there are motes 0..${motes - 1}`);

  const started = now();
  const report = await build({ entry, platform: "sim", write: false, typecheck: !values["no-typecheck"] });
  for (const w of report.warnings) io.err(`${formatDiagnostic(w)}\n`);
  const image = loadImageText(report.image, `${report.app}.js`);

  const trace = values.trace === undefined ? undefined : new TraceFile(values.trace);
  const world = new World({ seed, trace: trace?.sink, keepDebug: false, keepLedTrace: false, keepSerial: false });
  world.addMotes(motes, image, { bootSpreadMs: bootSpread });
  let topologyName: string;
  if (file) {
    const skipped = world.applyTopology(file.topology);
    if (skipped.lines.length > 0) io.err(`mote: warning: ${skippedWarning(topology!, skipped, motes)}\n`);
    topologyName = path.basename(topology!);
  } else {
    const columns = Math.ceil(Math.sqrt(motes));
    topologyName = topology ?? `grid:${columns}x${Math.ceil(motes / columns)}`;
    world.placeMotes(topologyName);
  }
  for (const channel of values.dbg ?? []) {
    world.onDebug(channel, (mote, ch, message) => {
      if (!values.json) io.out(`${(world.nowMs / 1000).toFixed(6).padStart(12)} s  mote ${mote.nodeId}  [${ch}] ${message}\n`);
    });
  }
  if (values.script) {
    const script = path.resolve(values.script);
    if (!existsSync(script)) throw new SimUsageError(`no such script: ${values.script}`);
    const mod = (await import(pathToFileURL(script).href)) as { default?: WorldScript };
    if (typeof mod.default !== "function") throw new SimUsageError(`${values.script} must export a default function (world) => void`);
    await mod.default(world);
  }

  const bridges = [];
  if (serial.length > 0) {
    const { attachSerialPty } = await import("./SerialPty.ts");
    for (const id of serial) {
      const bridge = await attachSerialPty(world, id);
      bridges.push(bridge);
      io.err(`mote ${id}: serial port on ${bridge.path}\n`);
    }
  }

  const links = world.medium.linkCount(); // as set up, before any script changes them
  const buildMs = now() - started;
  const untilMs = seconds === undefined ? undefined : seconds * 1000;
  const bar = values.progress || io.tty ? new ProgressBar(io, clock, untilMs) : undefined;
  const interrupted = () => world.stop();
  process.once("SIGINT", interrupted);
  const t0 = now();
  try {
    if (realtime) {
      await world.runRealtime({ untilMs, clock, onSlice: () => bar?.update(world) });
    } else {
      await runFast(world, untilMs!, bar);
    }
  } finally {
    process.off("SIGINT", interrupted);
    bar?.done();
    for (const b of bridges) await b.close();
  }
  const wallS = (now() - t0) / 1000;
  world.traceEnergy();
  trace?.close();

  const simulatedS = world.nowMs / 1000;
  const rows = world.summary();
  const header = {
    app: report.app,
    motes,
    topology: topologyName,
    seed,
    seconds: simulatedS,
    events: world.events,
    wallSeconds: wallS,
    buildSeconds: buildMs / 1000,
    speedup: wallS > 0 ? simulatedS / wallS : Infinity,
    links,
  };
  if (values.json) {
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    io.out(
      `${JSON.stringify(
        {
          ...header,
          speedup: finite(header.speedup),
          trace: values.trace ?? null,
          totals: totals(rows),
          summary: rows.map((r) => ({ ...r, lifetimeDays: finite(r.lifetimeDays) })),
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  io.out(
    `${report.app}: ${motes} mote${motes === 1 ? "" : "s"}, ${topologyName}, ${header.links} links, seed ${seed}\n` +
      `${simulatedS.toFixed(1)} s simulated in ${wallS.toFixed(2)} s (${header.speedup >= 10 ? header.speedup.toFixed(0) : header.speedup.toFixed(2)}× real time), ` +
      `${world.events.toLocaleString("en-US")} events${values.trace ? `, trace in ${values.trace}` : ""}\n\n`,
  );
  io.out(summaryTable(rows, world.energyTable.batteryMah));
  return 0;
}

/** Names (the first few of) the lines left out and the motes they name, against the world's size. */
function skippedWarning(file: string, skipped: SkippedTopology, motes: number): string {
  const list = (xs: readonly number[]) => (xs.length <= 5 ? xs.join(", ") : `${xs.slice(0, 5).join(", ")} and ${xs.length - 5} more`);
  const lines = skipped.lines.length === 1 ? `line ${skipped.lines[0]}` : `lines ${list(skipped.lines)}`;
  const ids = skipped.motes.length === 1 ? `mote ${skipped.motes[0]}` : `motes ${list(skipped.motes)}`;
  return (
    `${file}: ${lines} ignored: ${ids} not in a world of ${motes} mote${motes === 1 ? "" : "s"} (0..${motes - 1}); ` +
    `leave out --motes to make every mote the file names`
  );
}

function readTopologyFileChecked(file: string) {
  if (!existsSync(file)) {
    throw new SimUsageError(`--topology ${file}: no such file (and not grid:WxH or random:N)`);
  }
  const topology = readTopologyFile(file);
  return { topology, maxNode: topology.maxNode };
}

/** Runs as fast as it can, in slices, so the progress bar and Ctrl-C get their turn. */
async function runFast(world: World, untilMs: number, bar: ProgressBar | undefined): Promise<void> {
  // Slices are sized by the wall clock whatever clock the run reports: they are there for Node's event loop.
  const now = () => performance.now();
  let slice = 100; // virtual ms per slice, adapted to about 50 ms of wall time
  let lastYield = now();
  while (world.nowMs < untilMs && !world.stopped) {
    const t = now();
    world.runUntil(Math.min(untilMs, world.nowMs + slice));
    const took = now() - t;
    slice = Math.max(1, Math.min(60_000, took < 25 ? slice * 2 : took > 100 ? slice / 2 : slice));
    bar?.update(world);
    if (now() - lastYield > 100) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = now();
    }
  }
}

interface Totals {
  readonly sent: number;
  readonly received: number;
  readonly lost: number;
  readonly collided: number;
  readonly acked: number;
  readonly retries: number;
  readonly ledToggles: number;
  readonly averageMa: number;
}

function totals(rows: readonly MoteSummary[]): Totals {
  const sum = (f: (r: MoteSummary) => number) => rows.reduce((a, r) => a + f(r), 0);
  return {
    sent: sum((r) => r.sent),
    received: sum((r) => r.received),
    lost: sum((r) => r.lost),
    collided: sum((r) => r.collided),
    acked: sum((r) => r.acked),
    retries: sum((r) => r.retries),
    ledToggles: sum((r) => r.ledToggles),
    averageMa: rows.length > 0 ? sum((r) => r.averageMa) / rows.length : 0,
  };
}

/** At most this many motes get a row; the rest are in the totals (and in --json). */
const MAX_ROWS = 50;

export function summaryTable(rows: readonly MoteSummary[], batteryMah: number): string {
  const days = (d: number) => (Number.isFinite(d) ? (d >= 1000 ? d.toFixed(0) : d.toFixed(1)) : "-");
  const head = ["mote", "sent", "received", "lost", "collided", "acked", "avg mA", "life (days)", "LED toggles"];
  const line = (r: MoteSummary) => [
    String(r.id),
    String(r.sent),
    String(r.received),
    String(r.lost),
    String(r.collided),
    String(r.acked),
    r.averageMa.toFixed(3),
    days(r.lifetimeDays),
    String(r.ledToggles),
  ];
  const shown = rows.length > MAX_ROWS ? rows.slice(0, MAX_ROWS) : rows;
  const body = shown.map(line);
  const t = totals(rows);
  const meanLife = t.averageMa > 0 ? batteryMah / t.averageMa / 24 : Infinity;
  const foot = [
    rows.length > 1 ? "all" : "",
    String(t.sent),
    String(t.received),
    String(t.lost),
    String(t.collided),
    String(t.acked),
    t.averageMa.toFixed(3),
    days(meanLife),
    String(t.ledToggles),
  ];
  const all = [head, ...body, ...(rows.length > 1 ? [foot] : [])];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  let out = `${fmt(head)}\n`;
  for (const r of body) out += `${fmt(r)}\n`;
  if (rows.length > MAX_ROWS) out += `… ${rows.length - MAX_ROWS} more motes (--json lists every one)\n`;
  if (rows.length > 1) out += `${fmt(foot)}   (current: mean per mote)\n`;
  return out;
}

/** A progress bar on stderr: virtual time done, events, speed. */
class ProgressBar {
  private last = 0;
  private drawn = false;
  private readonly start: number;
  constructor(
    private readonly io: SimIo,
    private readonly clock: RealtimeClock,
    private readonly untilMs: number | undefined,
  ) {
    this.start = clock.now();
  }

  update(world: World): void {
    const t = this.clock.now();
    // Short runs show no bar; long ones redraw it ten times a second.
    if (t - this.start < 250 || t - this.last < 100) return;
    this.last = t;
    const simS = world.nowMs / 1000;
    const wall = (t - this.start) / 1000;
    const speed = wall > 0 ? `${(simS / wall).toFixed(simS / wall >= 10 ? 0 : 1)}×` : "";
    const events = `${(world.events / 1e6).toFixed(1)}M events`;
    let text: string;
    if (this.untilMs !== undefined) {
      const f = Math.min(1, world.nowMs / this.untilMs);
      const width = 30;
      const full = Math.round(f * width);
      text = `[${"#".repeat(full)}${".".repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%  ${simS.toFixed(1)}/${(this.untilMs / 1000).toFixed(0)} s  ${events}  ${speed}`;
    } else {
      text = `${simS.toFixed(1)} s  ${events}  ${speed}  (Ctrl-C stops)`;
    }
    this.io.err(`\r${text}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.io.err("\r\x1b[K");
  }
}

/** The trace file: lines buffered and written in large chunks. */
class TraceFile {
  private readonly fd: number;
  private chunks: string[] = [];
  private size = 0;
  readonly sink = (line: string): void => {
    this.chunks.push(line);
    this.size += line.length + 1;
    if (this.size > 1 << 20) this.flush();
  };

  constructor(file: string) {
    this.fd = openSync(file, "w");
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    writeSync(this.fd, `${this.chunks.join("\n")}\n`);
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
