/**
 * The base station demo: a network of motes whose root's serial port is a
 * pseudo-terminal, and the base station attached to it through the real
 * serialport package, dashboard on http://127.0.0.1:8080.
 *
 *   node --import ./tools/register.js tools/basestation/demo.ts [--http 127.0.0.1:8080] [--motes 25]
 *        [--interval 256] [--variant oscilloscope|multihop] [--db file] [--seconds s] [--mqtt url] [--sf 9002]
 *
 * THE MOTES ARE A STAND-IN FOR NOW: `startMoteSide` runs
 * tools/basestation/fakeMote.ts, a small process that writes made-up
 * Oscilloscope frames into the pty. When the simulator can run
 * MultihopOscilloscope with a mote's serial port on a pty (`mote sim
 * --serial <mote>=pty`), `startMoteSide` starts that instead; nothing else
 * here changes (the base station only needs a serial path).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { PtyLink } from "./pty.ts";
import { startBaseStation } from "./server.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface DemoOptions {
  readonly http: { readonly host: string; readonly port: number };
  readonly motes: number;
  readonly intervalMs: number;
  readonly variant: "oscilloscope" | "multihop";
  readonly db?: string;
  readonly seconds?: number;
  readonly mqtt?: string;
  readonly sf?: { readonly host: string; readonly port: number };
  readonly out?: (line: string) => void;
}

/**
 * Starts what writes the motes' serial frames into `ptyPath`. For now the
 * stand-in (fakeMote.ts, a separate process, as the simulator will be).
 */
export function startMoteSide(ptyPath: string, options: Pick<DemoOptions, "motes" | "intervalMs" | "variant">, out: (line: string) => void): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      pathToFileURL(path.join(ROOT, "tools/register.js")).href,
      path.join(ROOT, "tools/basestation/fakeMote.ts"),
      "--port",
      ptyPath,
      "--motes",
      String(options.motes),
      "--interval",
      String(options.intervalMs),
      "--variant",
      options.variant,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const relay = (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) out(line);
  };
  child.stdout!.on("data", relay);
  child.stderr!.on("data", relay);
  return child;
}

export async function runDemo(options: DemoOptions): Promise<{ url: string; stop(): Promise<void>; done: Promise<void> }> {
  const out = options.out ?? ((line: string) => console.log(line));
  const tmp = options.db ? undefined : mkdtempSync(path.join(tmpdir(), "mote-demo-"));
  const db = options.db ?? path.join(tmp!, "readings.sqlite");
  const link = await PtyLink.open();
  out(`demo: the motes' serial port is the pseudo-terminal ${link.mote}; the base station reads ${link.host}`);
  out(`demo: the motes are a STAND-IN (tools/basestation/fakeMote.ts writing made-up ${options.variant} frames), until the simulator runs MultihopOscilloscope`);
  const moteSide = startMoteSide(link.mote, options, out);
  const bs = await startBaseStation({
    ports: [{ path: link.host }],
    db,
    http: options.http,
    station: "demo",
    ...(options.mqtt ? { mqtt: options.mqtt } : {}),
    ...(options.sf ? { sf: options.sf } : {}),
    log: (line) => out(`base station: ${line}`),
  });
  out(`demo: dashboard ${bs.dashboardUrl}`);
  out(`demo: token ${bs.token}; database ${db}${tmp ? " (removed at the end)" : ""}`);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      moteSide.kill("SIGTERM");
      await bs.close();
      await link.close();
      out(`demo: stopped; ${bs.station.storage.packetCount} packets stored`);
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    })());
  const done = new Promise<void>((resolve) => {
    const finish = () => void stop().then(resolve);
    if (options.seconds !== undefined) setTimeout(finish, options.seconds * 1000);
    process.once("SIGINT", finish);
    process.once("SIGTERM", finish);
  });
  return { url: bs.dashboardUrl!, stop, done };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      http: { type: "string", default: "127.0.0.1:8080" },
      motes: { type: "string", default: "25" },
      interval: { type: "string", default: "256" },
      variant: { type: "string", default: "oscilloscope" },
      db: { type: "string" },
      seconds: { type: "string" },
      mqtt: { type: "string" },
      sf: { type: "string" },
    },
  });
  const hp = (text: string) => {
    const m = /^(?:(.*):)?(\d+)$/.exec(text);
    if (!m) throw new Error(`expected host:port, got ${text}`);
    return { host: m[1] || "127.0.0.1", port: Number(m[2]) };
  };
  const demo = await runDemo({
    http: hp(values.http),
    motes: Number(values.motes),
    intervalMs: Number(values.interval),
    variant: values.variant === "multihop" ? "multihop" : "oscilloscope",
    ...(values.db ? { db: values.db } : {}),
    ...(values.seconds ? { seconds: Number(values.seconds) } : {}),
    ...(values.mqtt ? { mqtt: values.mqtt } : {}),
    ...(values.sf ? { sf: hp(values.sf) } : {}),
  });
  await demo.done;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(`demo: ${(e as Error).message}`);
    process.exit(1);
  });
}
