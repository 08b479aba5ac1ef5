/**
 * `mote <command>`: build, graph and run applications. Each command prints
 * what a person needs; `--json` gives the same for programs.
 */
import { parseArgs } from "node:util";
import path from "node:path";
import { build, type BuildReport, knownPlatforms } from "../build/build.ts";
import { BuildError, formatDiagnostic } from "../build/diagnostics.ts";
import { DEFAULT_DATA_LENGTH } from "../../components/message/Message.ts";

const USAGE = `mote: TinyOS-style components for JavaScript motes

usage:
  mote build <configuration.ts> --platform <name> [--board b] [--out dir] [--data-length n] [--json] [--no-typecheck]
  mote graph <configuration.ts> [--format dot|svg] [-o file] [--platform name]
  mote run   <configuration.ts> [--platform node] [--seconds s] [--node-id n]
  mote sim   <configuration.ts> [--motes N] [--topology grid:10x10|random:200|file] [--seconds S] [--seed N] [--trace out.jsonl] [--json] [--serial <mote>=pty] [--realtime]
  mote flash <configuration.ts> --platform espruino [--board b] --port /dev/ttyACM0 [--baud n] [--node-id n] (or --image file.js)
  mote flash <configuration.ts> --platform moddable [--board esp32] [--port p]   (writes the Moddable project, runs mcconfig)
  mote ports [path ...] [--json]
  mote listen --port /dev/ttyUSB0 [--baud n] | --source sf@host:port [--messages m.ts] [--json]
  mote basestation --port P [--port P2 ...] [--http 127.0.0.1:8080] [--db readings.sqlite] [--mqtt mqtt://host:1883] [--sf 9002]
  mote basestation demo [--motes 25] [--seconds s] [--http 127.0.0.1:8080]   (what npm start runs)
  mote basestation send (--interval ms | --message Name --fields json | --type n --payload hex) [--dest n]
  mote help

platforms: ${knownPlatforms().join(", ")}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "build":
        return await buildCommand(rest);
      case "graph":
        return await graphCli(rest);
      case "run":
        return await runCommand(rest);
      case "sim":
        return await (await import("../sim/simCommand.ts")).simCommand(rest);
      case "flash":
        return await (await import("../flash/flashCommand.ts")).flashCommand(rest);
      case "ports":
        return await (await import("../basestation/cli.ts")).portsCommand(rest);
      case "listen":
        return await (await import("../basestation/cli.ts")).listenCommand(rest);
      case "basestation":
        return await (await import("../basestation/cli.ts")).basestationCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return 0;
      default:
        console.error(`mote: unknown command \`${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof BuildError) {
      for (const d of e.diagnostics) console.error(formatDiagnostic(d));
      const errors = e.diagnostics.filter((d) => d.severity === "error").length;
      console.error(`mote: ${errors} error${errors === 1 ? "" : "s"}; no image written`);
      return 1;
    }
    if (e instanceof UsageError) {
      console.error(`mote: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

class UsageError extends Error {}

function parse<T extends Record<string, { type: "string" | "boolean"; short?: string; default?: string | boolean }>>(
  argv: string[],
  options: T,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function entryOf(positionals: string[], command: string): string {
  const entry = positionals[0];
  if (!entry) throw new UsageError(`${command} needs a configuration file, e.g. configurations/BlinkAppC.ts`);
  if (positionals.length > 1) throw new UsageError(`${command} takes one configuration file, got ${positionals.join(" ")}`);
  return entry;
}

function printWarnings(report: BuildReport) {
  for (const w of report.warnings) console.error(formatDiagnostic(w));
}

async function buildCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    platform: { type: "string", short: "p" },
    out: { type: "string", short: "o" },
    json: { type: "boolean", default: false },
    "no-typecheck": { type: "boolean", default: false },
    board: { type: "string", short: "b" },
    "data-length": { type: "string" },
  });
  const entry = entryOf(positionals, "build");
  const dataLength = values["data-length"] === undefined ? undefined : Number(values["data-length"]);
  if (dataLength !== undefined && !Number.isInteger(dataLength)) throw new UsageError(`--data-length must be a whole number of bytes, got ${values["data-length"]}`);
  if (!values.platform) throw new UsageError(`build needs --platform (one of ${knownPlatforms().join(", ")})`);
  const report = await build({
    entry,
    platform: values.platform,
    outDir: values.out,
    typecheck: !values["no-typecheck"],
    board: values.board,
    dataLength,
  });
  if (values.json) {
    const { graph: _graph, image: _image, ...rest } = report;
    console.log(JSON.stringify({ ...rest, warnings: report.warnings.map((w) => formatDiagnostic(w)) }, null, 2));
    return 0;
  }
  printWarnings(report);
  const rows: [string, string][] = [
    ["image", path.relative(process.cwd(), report.imageFile ?? "")],
    ["bytes raw", String(report.bytes.raw)],
    ["bytes minified", String(report.bytes.minified)],
    ["bytes gzip", String(report.bytes.gzip)],
    ["component instances", `${report.instances.modules} modules, ${report.instances.configurations} configurations`],
    ["tasks", String(report.tasks)],
    ["timers", String(report.timers)],
    [
      "static buffers",
      report.staticBuffers ? `${report.staticBuffers.count} (${report.staticBuffers.bytes} bytes)` : "n/a on this platform",
    ],
    ...(report.board ? ([["board", report.board]] as [string, string][]) : []),
    // Only sizes not at their default, so a user sees why (e.g. FORWARD_COUNT 4 from the board).
    ...report.sizes.filter((s) => s.value !== s.default).map((s) => [s.name, `${s.value} (${s.source}; default ${s.default})`] as [string, string]),
    ...(report.dataLength !== DEFAULT_DATA_LENGTH ? ([["TOSH_DATA_LENGTH", `${report.dataLength} (default ${DEFAULT_DATA_LENGTH})`]] as [string, string][]) : []),
    ...report.projectFiles.map((f, i) => [i === 0 ? "project files" : "", path.relative(process.cwd(), f)] as [string, string]),
    ...Object.entries(report.figures).map(([k, v]) => [k, String(v)] as [string, string]),
    ["uncalled functions left out", String(report.prunedFunctions.length)],
    ["build time", `${report.elapsedMs.toFixed(0)} ms`],
  ];
  console.log(`${report.app} for ${report.platform}`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  return 0;
}

async function graphCli(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    format: { type: "string", short: "f" },
    o: { type: "string", short: "o" },
    output: { type: "string" },
    platform: { type: "string", short: "p", default: "sim" },
  });
  const entry = entryOf(positionals, "graph");
  const format = values.format;
  if (format !== undefined && format !== "dot" && format !== "svg") throw new UsageError(`--format must be dot or svg, got ${format}`);
  const { graphCommand } = await import("../graph/graphCommand.ts");
  const output = values.o ?? values.output;
  // Without --format, a file name ending in .svg asks for SVG; anything else gets DOT.
  const text = await graphCommand({ entry, platform: values.platform, format, output });
  if (output) console.error(`mote: ${text}`);
  else process.stdout.write(text);
  return 0;
}

async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    platform: { type: "string", short: "p", default: "node" },
    seconds: { type: "string", short: "s" },
    "node-id": { type: "string", default: "1" },
  });
  const entry = entryOf(positionals, "run");
  if (values.platform !== "node") {
    throw new UsageError(`run starts one mote in real time on the node platform; use \`mote sim\` for simulated motes`);
  }
  const nodeId = Number(values["node-id"]);
  if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > 0xffff) throw new UsageError(`--node-id must be 0..65535, got ${values["node-id"]}`);
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(seconds > 0)) throw new UsageError(`--seconds must be a positive number, got ${values.seconds}`);

  const report = await build({ entry, platform: "node" });
  printWarnings(report);
  const { NodeHost } = await import("../../platforms/node/NodeHost.ts");
  const { loadImageText } = await import("../sim/image.ts");
  const factory = loadImageText(report.image, report.imageFile);
  const dots = (leds: number) => [0, 1, 2].map((i) => (leds & (1 << i) ? "●" : "○")).join("");
  console.log(
    `${report.app}: node ${nodeId} running in real time (${report.bytes.minified} bytes)${seconds ? ` for ${seconds} s` : "; Ctrl-C stops it"}`,
  );
  let changes = 0;
  const host = new NodeHost({
    nodeId,
    onLed: (t, led, on, leds) => {
      changes++;
      console.log(`${(t / 1000).toFixed(3).padStart(9)} s  LED${led} ${on ? "on " : "off"}  ${dots(leds)}`);
    },
    onDebug: (t, channel, message) => console.log(`${(t / 1000).toFixed(3).padStart(9)} s  [${channel}] ${message}`),
  });
  factory(host);
  await new Promise<void>((resolve) => {
    const finish = () => {
      host.stop();
      resolve();
    };
    process.once("SIGINT", finish);
    if (seconds !== undefined) setTimeout(finish, seconds * 1000);
  });
  console.log(`stopped after ${changes} LED changes`);
  return 0;
}
