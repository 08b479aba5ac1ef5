/**
 * The base station demo (`npm start`, `mote basestation demo`): a simulated
 * network of MultihopOscilloscope motes on a grid, run by the real simulator
 * (`mote sim`, a child process) in real time with the root's serial port on
 * a pseudo-terminal, and the base station reading that pseudo-terminal
 * through the serialport package, dashboard on http://127.0.0.1:8080.
 *
 * The simulator runs in its own process so the motes and the base station
 * each get a core, and so what the base station sees is exactly what a real
 * board on a USB port would give it: bytes on a tty.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningBaseStation, startBaseStation } from "./server.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MOTE = path.join(ROOT, "tools/cli/mote.js");
export const DEMO_APP = "configurations/MultihopOscilloscopeAppC.ts";
const DEMO_WORLD = path.join(ROOT, "tools/basestation/demoWorld.ts");

export interface DemoOptions {
  readonly http: { readonly host: string; readonly port: number };
  /** Motes on a square-ish grid; mote 0 is the collection root. Default 25. */
  readonly motes?: number;
  readonly seed?: number;
  readonly db?: string;
  /** Stop after this many seconds; default: at Ctrl-C. */
  readonly seconds?: number;
  readonly mqtt?: string;
  readonly sf?: { readonly host: string; readonly port: number };
  readonly token?: string;
  /** Seconds between progress lines; 0 for none. Default 15. */
  readonly progressS?: number;
  readonly out?: (line: string) => void;
  /** Stop on SIGINT/SIGTERM (the command line). Default true. */
  readonly signals?: boolean;
}

export interface RunningDemo {
  readonly url: string;
  readonly ptyPath: string;
  readonly baseStation: RunningBaseStation;
  stop(): Promise<void>;
  /** Resolves when the demo has stopped (after `seconds`, a signal, or the simulator ending). */
  readonly done: Promise<void>;
}

export function gridOf(motes: number): { columns: number; rows: number } {
  const columns = Math.ceil(Math.sqrt(motes));
  return { columns, rows: Math.ceil(motes / columns) };
}

/** Starts `mote sim` with mote 0's UART on a pty; resolves with the pty's path once it is there. */
function startSimulator(
  options: { motes: number; seed: number },
  out: (line: string) => void,
): Promise<{ child: ChildProcess; ptyPath: string; exited: Promise<number | null> }> {
  const { columns, rows } = gridOf(options.motes);
  const args = [
    MOTE,
    "sim",
    DEMO_APP,
    "--motes",
    String(options.motes),
    "--topology",
    `grid:${columns}x${rows}`,
    "--seed",
    String(options.seed),
    "--serial",
    "0=pty",
    "--realtime",
    "--script",
    DEMO_WORLD,
    // The configuration is type-checked by the test suite; skipping it here saves seconds at start.
    "--no-typecheck",
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stderr = "";
  return new Promise((resolve, reject) => {
    let found: string | undefined;
    const relay = (d: Buffer) => {
      for (const line of d.toString().split("\n")) if (line.trim()) out(`sim: ${line}`);
    };
    child.stdout!.on("data", relay);
    child.stderr!.on("data", (d: Buffer) => {
      if (found) return relay(d);
      stderr += d.toString();
      const m = /mote 0: serial port on (\S+)/.exec(stderr);
      if (m) {
        found = m[1]!;
        resolve({ child, ptyPath: found, exited });
      }
    });
    child.once("error", (e) => reject(new Error(`cannot start the simulator: ${e.message}`)));
    void exited.then((code) => {
      if (!found) reject(new Error(`the simulator stopped (exit ${code}) before mote 0's serial port was ready:\n${stderr.trim()}`));
    });
  });
}

export async function runDemo(options: DemoOptions): Promise<RunningDemo> {
  const out = options.out ?? ((line: string) => console.log(line));
  const motes = options.motes ?? 25;
  const seed = options.seed ?? 1;
  const { columns, rows } = gridOf(motes);
  const tmp = options.db ? undefined : mkdtempSync(path.join(tmpdir(), "mote-demo-"));
  const db = options.db ?? path.join(tmp!, "readings.sqlite");
  out(`demo: building ${DEMO_APP} for the simulator and starting ${motes} motes on a ${columns}x${rows} grid (seed ${seed})...`);
  const sim = await startSimulator({ motes, seed }, out);
  let stopping = false;
  let bs: RunningBaseStation;
  try {
    bs = await startBaseStation({
      ports: [{ path: sim.ptyPath }],
      db,
      http: options.http,
      station: "demo",
      ...(options.token ? { token: options.token } : {}),
      ...(options.mqtt ? { mqtt: options.mqtt } : {}),
      ...(options.sf ? { sf: options.sf } : {}),
      // Once stopping, the simulator's pty going away is expected, not news.
      log: (line) => {
        if (!stopping) out(`base station: ${line}`);
      },
    });
  } catch (e) {
    sim.child.kill("SIGINT");
    await sim.exited;
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const started = Date.now();
  const station = bs.station;
  out("");
  out(`  simulation   ${motes} MultihopOscilloscope motes, ${columns}x${rows} grid, in real time; mote 0 is the collection root`);
  out(`  serial port  ${sim.ptyPath} (mote 0's UART, a pseudo-terminal; the base station opens it with serialport)`);
  out(`  dashboard    ${bs.dashboardUrl}`);
  out(`  token        ${bs.token} (commands need it: Authorization: Bearer <token>)`);
  out(`  database     ${db}${tmp ? " (temporary: removed at the end; give --db to keep it)" : ""}`);
  if (bs.mqtt) out(`  mqtt         ${options.mqtt}, topics mote/demo/<mote>/<field>`);
  if (bs.sf) out(`  forwarder    MOTECOM=sf@${bs.sf.host}:${bs.sf.port}`);
  out(`  stop         Ctrl-C${options.seconds !== undefined ? ` (or after ${options.seconds} s)` : ""}`);
  out("");
  out("demo: each mote samples every 1024 ms and sends 5 readings a message; the first ones arrive within about 10 s");

  let firstSeen = false;
  const unlisten = station.on((e) => {
    if (e.kind === "readings" && !firstSeen) {
      firstSeen = true;
      out(`demo: first readings after ${((Date.now() - started) / 1000).toFixed(1)} s, from mote ${e.series[0]!.mote}`);
    }
  });
  const progressS = options.progressS ?? 15;
  const progress =
    progressS > 0
      ? setInterval(() => {
          const list = station.moteList();
          const lost = list.reduce((a, m) => a + m.lost, 0);
          out(
            `demo: ${((Date.now() - started) / 1000).toFixed(0)} s: ${list.length}/${motes} motes heard, ` +
              `${station.storage.packetCount} packets, ${station.storage.readingCount} readings stored, ${lost} lost`,
          );
        }, progressS * 1000)
      : undefined;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      if (progress) clearInterval(progress);
      unlisten();
      await bs.close();
      if (sim.child.exitCode === null && sim.child.signalCode === null) sim.child.kill("SIGINT");
      await sim.exited;
      out(`demo: stopped; ${station.storage.packetCount} packets and ${station.storage.readingCount} readings were stored in ${db}`);
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    })());
  const done = new Promise<void>((resolve) => {
    const finish = () => void stop().then(resolve);
    if (options.seconds !== undefined) setTimeout(finish, options.seconds * 1000).unref();
    if (options.signals ?? true) {
      process.once("SIGINT", finish);
      process.once("SIGTERM", finish);
    }
    void sim.exited.then((code) => {
      if (!stopping) {
        out(`demo: the simulator stopped (exit ${code}); stopping`);
        finish();
      }
    });
  });
  return { url: bs.dashboardUrl!, ptyPath: sim.ptyPath, baseStation: bs, stop, done };
}
