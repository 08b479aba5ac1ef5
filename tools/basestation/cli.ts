/**
 * The command-line entries: `mote ports`, `mote listen`, `mote basestation`
 * (and `mote basestation send`). Each returns the exit status: 0 done,
 * 1 failed, 2 bad usage.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { catalogFrom } from "./messages.ts";
import { listen, parseSource, type Source } from "./listen.ts";
import { formatPortList, listPorts } from "./ports.ts";
import { startBaseStation } from "./server.ts";

export const PORTS_USAGE = "mote ports [path ...] [--json]";
export const LISTEN_USAGE = "mote listen --port /dev/ttyUSB0 [--baud 115200] | --source sf@host:port | serial@path:baud [--messages m.ts] [--json]";
export const BASESTATION_USAGE = [
  "mote basestation --port P [--port P2 ...] [--baud 115200] [--http 127.0.0.1:8080|off] [--db readings.sqlite]",
  "                 [--mqtt mqtt://host:1883] [--sf [host:]9002] [--station name] [--token t] [--messages m.ts] [--sync normal|full]",
  "mote basestation demo [--motes 25] [--seed 1] [--http 127.0.0.1:8080] [--db file] [--seconds s] [--mqtt url] [--sf [host:]9002] [--token t]",
  "mote basestation send [--db readings.sqlite | --url http://127.0.0.1:8080 --token t] (--interval ms | --message Name [--fields json] | --type n --payload hex) [--dest n] [--port P]",
];

class Usage extends Error {}

type OptionSpec = { type: "string" | "boolean"; short?: string; default?: string | boolean; multiple?: boolean };

function parse<T extends Record<string, OptionSpec>>(argv: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new Usage((e as Error).message);
  }
}

async function run(usage: string | readonly string[], f: () => Promise<number>): Promise<number> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof Usage) {
      console.error(`mote: ${e.message}\n\nusage:\n  ${[usage].flat().join("\n  ")}`);
      return 2;
    }
    console.error(`mote: ${(e as Error).message}`);
    return 1;
  }
}

function baudOf(text: string | undefined, fallback = 115200): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 50 || n > 4_000_000) throw new Usage(`--baud must be a serial speed such as 57600 or 115200, got ${text}`);
  return n;
}

/** `host:port`, `:port` or `port`; host defaults to 127.0.0.1. */
function hostPort(option: string, text: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) throw new Usage(`${option} must be host:port or a port, e.g. 127.0.0.1:8080, got ${text}`);
  return { host: (m[1] || "127.0.0.1").replace(/^\[(.*)\]$/, "$1"), port };
}

function checkTokenAndBroker(values: { token?: string | undefined; mqtt?: string | undefined }): void {
  if (values.token !== undefined && values.token.length < 8) throw new Usage("--token must be at least 8 characters");
  if (values.mqtt !== undefined && !/^(mqtts?|wss?|tcp|ssl):\/\/./.test(values.mqtt)) throw new Usage(`--mqtt must be a broker URL such as mqtt://127.0.0.1:1883, got ${values.mqtt}`);
}

const waitForSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(s);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });

export function portsCommand(argv: string[]): Promise<number> {
  return run(PORTS_USAGE, async () => {
    const { values, positionals } = parse(argv, { json: { type: "boolean", default: false }, "no-udev": { type: "boolean", default: false } }, true);
    const list = await listPorts({ given: positionals, udev: !values["no-udev"] });
    console.log(values.json ? JSON.stringify(list, null, 2) : formatPortList(list));
    return list.rejected.length ? 1 : 0;
  });
}

export function listenCommand(argv: string[]): Promise<number> {
  return run(LISTEN_USAGE, async () => {
    const { values } = parse(argv, {
      port: { type: "string", short: "p" },
      baud: { type: "string", short: "b" },
      source: { type: "string", short: "s" },
      messages: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
    });
    const baud = baudOf(values.baud);
    let source: Source;
    if (values.port && values.source) throw new Usage("give --port or --source, not both");
    const text = values.port ?? values.source ?? process.env.MOTECOM;
    if (!text) throw new Usage("listen needs --port /dev/ttyUSB0 or --source sf@host:port (or MOTECOM in the environment)");
    try {
      source = parseSource(text, baud);
    } catch (e) {
      throw new Usage((e as Error).message);
    }
    const catalog = await catalogFrom(values.messages ?? []);
    const listener = await listen({
      source,
      catalog,
      json: values.json,
      out: (line) => console.log(line),
      log: (line) => console.error(`mote listen: ${line}`),
    });
    const how = await Promise.race([listener.done.then(() => "end" as const), waitForSignal()]);
    await listener.close();
    console.error(`mote listen: ${how === "end" ? "the source closed" : "stopped"}; ${JSON.stringify(listener.stats())}`);
    return 0;
  });
}

export function basestationCommand(argv: string[]): Promise<number> {
  if (argv[0] === "send") return sendCommand(argv.slice(1));
  if (argv[0] === "demo") return demoCommand(argv.slice(1));
  return run(BASESTATION_USAGE, async () => {
    const { values } = parse(argv, {
      port: { type: "string", short: "p", multiple: true },
      baud: { type: "string", short: "b" },
      http: { type: "string", default: "127.0.0.1:8080" },
      db: { type: "string", default: "readings.sqlite" },
      mqtt: { type: "string" },
      sf: { type: "string" },
      station: { type: "string" },
      token: { type: "string" },
      messages: { type: "string", multiple: true },
      sync: { type: "string", default: "normal" },
      "ack-timeout": { type: "string" },
      retries: { type: "string" },
    });
    const baud = baudOf(values.baud);
    if (!values.port?.length) throw new Usage("basestation needs at least one --port (a serial port or pseudo-terminal; `mote ports` lists them)");
    const ports = values.port.map((p) => {
      let s: Source;
      try {
        s = parseSource(p, baud);
      } catch (e) {
        throw new Usage((e as Error).message);
      }
      if (s.kind !== "serial") throw new Usage(`--port ${p}: the base station reads serial ports; to read a SerialForwarder use mote listen --source ${p}`);
      return { path: s.path, baud: s.baud };
    });
    const http = values.http === "off" ? false : hostPort("--http", values.http);
    const sf = values.sf === undefined ? undefined : hostPort("--sf", values.sf);
    if (values.sync !== "normal" && values.sync !== "full") throw new Usage(`--sync must be normal or full, got ${values.sync}`);
    checkTokenAndBroker(values);
    const intOpt = (name: string, v: string | undefined, min: number, max: number) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) throw new Usage(`--${name} must be an integer ${min}..${max}`);
      return n;
    };
    const ackTimeout = intOpt("ack-timeout", values["ack-timeout"], 10, 60_000);
    const retries = intOpt("retries", values.retries, 0, 100);
    const catalog = await catalogFrom(values.messages ?? []);
    const log = (line: string) => console.error(`${new Date().toISOString()} ${line}`);
    const bs = await startBaseStation({
      ports,
      db: values.db,
      catalog,
      http,
      ...(sf ? { sf } : {}),
      ...(values.mqtt ? { mqtt: values.mqtt } : {}),
      ...(values.station ? { station: values.station } : {}),
      ...(values.token ? { token: values.token } : {}),
      sync: values.sync,
      ack: { ...(ackTimeout !== undefined ? { timeoutMs: ackTimeout } : {}), ...(retries !== undefined ? { retries } : {}) },
      log,
    });
    const rows: [string, string][] = [
      ["ports", ports.map((p) => `${p.path} (${p.baud} baud)`).join(", ")],
      ["database", `${values.db} (${bs.station.storage.packetCount} packets stored before)`],
      ...(bs.dashboardUrl ? ([["dashboard", bs.dashboardUrl]] as [string, string][]) : []),
      ...(bs.http ? ([["api", `${bs.http.url}/api`]] as [string, string][]) : []),
      ["token", `${bs.token} (commands need it: Authorization: Bearer <token>)`],
      ...(bs.mqtt ? ([["mqtt", `${values.mqtt}, topics ${bs.mqtt.topics.station.replace(/\/status$/, "")}/<mote>/<field>`]] as [string, string][]) : []),
      ...(bs.sf ? ([["serial forwarder", `${bs.sf.host}:${bs.sf.port} (MOTECOM=sf@${bs.sf.host}:${bs.sf.port})`]] as [string, string][]) : []),
    ];
    console.log(`mote basestation ${bs.station.station}`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(16)} ${v}`);
    const signal = await waitForSignal();
    log(`${signal}: storing what is pending and stopping`);
    await bs.close();
    log(`stopped; ${bs.station.storage.packetCount} packets stored in ${values.db}`);
    return 0;
  });
}

/** The simulated network of `npm start`: see demo.ts. */
function demoCommand(argv: string[]): Promise<number> {
  return run(BASESTATION_USAGE, async () => {
    const { values } = parse(argv, {
      motes: { type: "string", default: "25" },
      seed: { type: "string", default: "1" },
      http: { type: "string", default: "127.0.0.1:8080" },
      db: { type: "string" },
      seconds: { type: "string" },
      mqtt: { type: "string" },
      sf: { type: "string" },
      token: { type: "string" },
    });
    const motes = Number(values.motes);
    if (!Number.isInteger(motes) || motes < 1 || motes > 1000) throw new Usage(`--motes must be an integer 1..1000, got ${values.motes}`);
    const seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Usage(`--seed must be an integer 0..4294967295, got ${values.seed}`);
    const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
    if (seconds !== undefined && !(seconds > 0)) throw new Usage(`--seconds must be a positive number, got ${values.seconds}`);
    checkTokenAndBroker(values);
    const { runDemo } = await import("./demo.ts");
    const demo = await runDemo({
      http: hostPort("--http", values.http),
      motes,
      seed,
      ...(values.db ? { db: values.db } : {}),
      ...(seconds !== undefined ? { seconds } : {}),
      ...(values.mqtt ? { mqtt: values.mqtt } : {}),
      ...(values.sf ? { sf: hostPort("--sf", values.sf) } : {}),
      ...(values.token ? { token: values.token } : {}),
    });
    await demo.done;
    return 0;
  });
}

function sendCommand(argv: string[]): Promise<number> {
  return run(BASESTATION_USAGE, async () => {
    const { values } = parse(argv, {
      db: { type: "string", default: "readings.sqlite" },
      url: { type: "string" },
      token: { type: "string" },
      interval: { type: "string" },
      message: { type: "string" },
      fields: { type: "string" },
      type: { type: "string" },
      payload: { type: "string" },
      dest: { type: "string" },
      port: { type: "string" },
    });
    let url = values.url;
    let token = values.token ?? process.env.MOTE_TOKEN;
    if (!url || !token) {
      const file = `${values.db}.station.json`;
      let state: { url: string; token: string };
      try {
        state = JSON.parse(readFileSync(file, "utf8")) as { url: string; token: string };
      } catch {
        throw new Usage(`no running base station found for ${values.db} (${file} is missing); give --url and --token`);
      }
      url ??= state.url;
      token ??= state.token;
    }
    const body: Record<string, unknown> = {};
    const num = (name: string, v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new Usage(`--${name} must be an integer, got ${v}`);
      return n;
    };
    if (values.interval !== undefined) body.interval = num("interval", values.interval);
    if (values.message !== undefined) body.message = values.message;
    if (values.fields !== undefined) {
      try {
        body.fields = JSON.parse(values.fields);
      } catch (e) {
        throw new Usage(`--fields must be JSON, e.g. '{"interval": 512}': ${(e as Error).message}`);
      }
    }
    if (values.type !== undefined) body.type = num("type", values.type);
    if (values.payload !== undefined) body.payload = values.payload;
    if (values.dest !== undefined) body.dest = num("dest", values.dest);
    if (values.port !== undefined) body.port = values.port;
    const r = await fetch(`${url.replace(/\/$/, "")}/api/command`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const j = (await r.json()) as { error?: string; parameter?: string; description?: string; results?: { port: string; ok: boolean; seq: number; attempts: number; error?: string }[] };
    if (j.error) {
      console.error(`mote: ${j.error}${j.parameter ? ` [${j.parameter}]` : ""}`);
      return r.status === 400 ? 2 : 1;
    }
    for (const x of j.results ?? []) {
      console.log(`${j.description}: ${x.port}: ${x.ok ? `ACKed (seq ${x.seq}, ${x.attempts} ${x.attempts === 1 ? "try" : "tries"})` : x.error}`);
    }
    return r.ok ? 0 : 1;
  });
}
