/**
 * `mote flash`: build a configuration for an Espruino board (or take a
 * prebuilt image), put it on the board over its serial port, then show the
 * board's console until Ctrl-C. For a Moddable board: build the Moddable
 * project and hand it to the SDK's `mcconfig` (or say what is missing).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { BoardDescription } from "../../platforms/PlatformDescription.ts";
import { build, knownPlatforms, loadPlatform } from "../build/build.ts";
import { BuildError, formatDiagnostic } from "../build/diagnostics.ts";
import { FlashError } from "./errors.ts";
import { flashEspruino, type FlashProgress } from "./flash.ts";
import { flashModdable } from "../../platforms/moddable/flashModdable.ts";
import { projectDir } from "../../platforms/moddable/project.ts";

export const FLASH_USAGE = `usage:
  mote flash <configuration.ts> --port <path> [--platform espruino] [--board name] [--baud n] [--node-id n]
  mote flash --image <file.js> --port <path> [--board name] [--baud n] [--node-id n]
  mote flash <configuration.ts> --platform moddable [--board esp32] [--port <path>] [--node-id n]
      (builds the Moddable project and runs the Moddable SDK's mcconfig on it)
options:
  --protocol auto|packet|repl   how to upload (auto: packets on Espruino 2v25 and later)
  --seconds s                   show the console for s seconds, then stop (default: until Ctrl-C)
  --no-console                  stop once the board has restarted
  --no-typecheck                build without running tsc first`;

/** Console baud rates by board when the platform does not say (nRF52 boards 9600, ESP boards 115200). */
const BOARD_BAUD: Readonly<Record<string, number>> = {
  puckjs: 9600,
  pixljs: 9600,
  mdbt42q: 9600,
  banglejs: 9600,
  banglejs2: 9600,
  jolt: 9600,
  pico: 9600,
  wifi: 9600,
  esp32: 115200,
  esp8266: 115200,
};

class UsageError extends Error {}

export async function flashCommand(argv: string[]): Promise<number> {
  try {
    return await flash(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`mote flash: ${e.message}\n\n${FLASH_USAGE}`);
      return 2;
    }
    if (e instanceof FlashError) {
      console.error(`mote flash: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

async function flash(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        platform: { type: "string", short: "p", default: "espruino" },
        board: { type: "string", short: "b" },
        port: { type: "string" },
        baud: { type: "string" },
        "node-id": { type: "string" },
        image: { type: "string" },
        protocol: { type: "string", default: "auto" },
        seconds: { type: "string" },
        "no-console": { type: "boolean", default: false },
        "no-typecheck": { type: "boolean", default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.platform === "moddable") return flashModdableBoard(values, positionals);
  if (values.platform !== "espruino") {
    throw new UsageError(`flash puts images on Espruino boards (--platform espruino) and Moddable ones (--platform moddable); got --platform ${values.platform}`);
  }
  if (!values.port) throw new UsageError("flash needs --port, the board's serial port (e.g. /dev/ttyACM0)");
  if (positionals.length > 1) throw new UsageError(`flash takes one configuration file, got ${positionals.join(" ")}`);
  const entry = positionals[0];
  if (entry && values.image) throw new UsageError("give a configuration to build or --image, not both");
  if (!entry && !values.image) throw new UsageError("flash needs a configuration file (e.g. configurations/BlinkAppC.ts) or --image file.js");
  const protocol = values.protocol;
  if (protocol !== "auto" && protocol !== "packet" && protocol !== "repl") throw new UsageError(`--protocol must be auto, packet or repl, got ${protocol}`);
  const nodeId = values["node-id"] === undefined ? undefined : Number(values["node-id"]);
  if (nodeId !== undefined && !(Number.isInteger(nodeId) && nodeId >= 0 && nodeId <= 0xffff)) {
    throw new UsageError(`--node-id must be 0..65535, got ${values["node-id"]}`);
  }
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(seconds >= 0)) throw new UsageError(`--seconds must be a number of seconds, got ${values.seconds}`);

  const board = await boardDescription(values.board);
  let image: string;
  let what: string;
  if (values.image) {
    try {
      image = readFileSync(values.image, "utf8");
    } catch (e) {
      console.error(`mote flash: cannot read the image ${values.image}: ${(e as Error).message}`);
      return 1;
    }
    what = values.image;
  } else {
    try {
      const report = await build({ entry: entry!, platform: "espruino", board: values.board, typecheck: !values["no-typecheck"] });
      for (const w of report.warnings) console.error(formatDiagnostic(w));
      image = report.image;
      what = `${report.app} (${report.bytes.minified} bytes)`;
    } catch (e) {
      if (!(e instanceof BuildError)) throw e;
      for (const d of e.diagnostics) console.error(formatDiagnostic(d));
      if (!knownPlatforms().includes("espruino")) {
        console.error(
          `mote flash: cannot build for Espruino: this tree has no espruino platform (platforms/espruino) yet; flash a prebuilt image with --image file.js`,
        );
      } else console.error("mote flash: the build failed; nothing was flashed");
      return 1;
    }
  }
  // The image's size is checked against the Storage the board itself reports free (flash.ts): it
  // varies with the firmware version and what else is stored, so no fixed per-board limit is kept.
  const baud = values.baud !== undefined ? Number(values.baud) : baudFor(values.board, board);
  if (!(Number.isInteger(baud) && baud > 0)) throw new UsageError(`--baud must be a positive whole number, got ${values.baud}`);

  console.error(`mote flash: ${what} to ${values.port} at ${baud} baud`);
  const bar = progressBar(process.stderr);
  let lastConsoleChar = "\n";
  const result = await flashEspruino(image, {
    port: values.port,
    baud,
    nodeId,
    protocol,
    expectBoard: typeof board?.details?.env === "string" ? board.details.env : values.board,
    console: !values["no-console"],
    onProgress: bar,
    onLog: (m) => {
      bar.interrupt();
      console.error(`mote flash: ${m}`);
    },
    onConsole: (text) => {
      process.stdout.write(text);
      lastConsoleChar = text.at(-1) ?? lastConsoleChar;
    },
  });
  bar.interrupt();
  console.error(
    `mote flash: wrote ${result.bytes} bytes to ${result.file} on the ${result.board} (Espruino ${result.firmware}) with ` +
      `${result.protocol === "packet" ? "the packet protocol" : "REPL lines"}, verified (CRC-32 0x${result.crc.toString(16).padStart(8, "0")}), ` +
      `${result.retransmissions} resent, in ${(result.elapsedMs / 1000).toFixed(2)} s; it boots ${result.file} now` +
      (nodeId !== undefined ? ` as node ${nodeId}` : ""),
  );
  if (values["no-console"]) return 0;
  console.error(`mote flash: the board's console follows${seconds !== undefined ? ` for ${seconds} s` : "; Ctrl-C stops"}`);
  await new Promise<void>((resolve) => {
    const finish = () => resolve();
    process.once("SIGINT", finish);
    void result.closed.then(finish);
    if (seconds !== undefined) setTimeout(finish, seconds * 1000).unref();
  });
  await result.stop();
  if (lastConsoleChar !== "\n") process.stdout.write("\n");
  return 0;
}

/** `--platform moddable`: the project is built, then mcconfig builds and flashes it (platforms/moddable/flashModdable.ts). */
async function flashModdableBoard(values: { board?: string; port?: string; "node-id"?: string; image?: string; "no-typecheck"?: boolean }, positionals: string[]): Promise<number> {
  if (values.image) throw new UsageError("--image is for Espruino boards; for a Moddable board give the configuration to build");
  if (positionals.length !== 1) throw new UsageError("flash --platform moddable needs one configuration file (e.g. configurations/BlinkAppC.ts)");
  const nodeId = values["node-id"] === undefined ? undefined : Number(values["node-id"]);
  if (nodeId !== undefined && !(Number.isInteger(nodeId) && nodeId >= 0 && nodeId <= 0xffff)) {
    throw new UsageError(`--node-id must be 0..65535, got ${values["node-id"]}`);
  }
  const outDir = path.resolve("build", "moddable");
  let app: string;
  try {
    const report = await build({ entry: positionals[0]!, platform: "moddable", board: values.board, outDir, typecheck: !values["no-typecheck"] });
    for (const w of report.warnings) console.error(formatDiagnostic(w));
    app = report.app;
    console.error(`mote flash: built ${report.app} (${report.bytes.minified} bytes) and its Moddable project in ${path.relative(process.cwd(), projectDir(outDir, app)) || "."}`);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    for (const d of e.diagnostics) console.error(formatDiagnostic(d));
    console.error("mote flash: the build failed; nothing was flashed");
    return 1;
  }
  const result = await flashModdable({ projectDir: projectDir(outDir, app), board: values.board, nodeId, port: values.port });
  console.error(`mote flash: ${result.message}`);
  return result.ok ? 0 : 1;
}

async function boardDescription(name: string | undefined): Promise<BoardDescription | undefined> {
  if (!knownPlatforms().includes("espruino")) return undefined;
  const platform = await loadPlatform("espruino");
  const chosen = name ?? platform.defaultBoard;
  return chosen === undefined ? undefined : platform.boards?.[chosen];
}

function baudFor(name: string | undefined, board: BoardDescription | undefined): number {
  const fromPlatform = board?.details?.consoleBaud;
  if (typeof fromPlatform === "number") return fromPlatform;
  return (name && BOARD_BAUD[name.toLowerCase().replace(/[^a-z0-9]/g, "")]) || 9600;
}

/** What progressBar writes to: a terminal (isTTY, columns) or anything else (a pipe, a file). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/**
 * Shows upload progress on a terminal as one bar redrawn in place (`\r`,
 * narrowed to fit the terminal so it never wraps, which would break the
 * redraw); elsewhere as a few lines.
 */
export function progressBar(stream: ProgressStream): ((p: FlashProgress) => void) & { interrupt(): void } {
  const tty = stream.isTTY === true;
  let drawn = false;
  let lastPhase = "";
  let lastQuarter = -1;
  const interrupt = () => {
    if (drawn) stream.write("\n");
    drawn = false;
  };
  const show = (p: FlashProgress) => {
    if (p.phase === "upload" && p.total > 0) {
      const fraction = p.sent / p.total;
      if (tty) {
        const percent = `] ${String(Math.round(fraction * 100)).padStart(3)}%`;
        const label = "  uploading [";
        // One column spare: a line that fills the last column wraps on some terminals.
        const room = (stream.columns ?? 80) - 1 - label.length;
        let figures = `${percent}  ${p.sent}/${p.total} bytes` + (p.retransmissions ? `, ${p.retransmissions} resent` : "");
        if (room - figures.length < 10) figures = percent; // a narrow terminal: the bar and the percentage only
        const width = Math.max(5, Math.min(30, room - figures.length));
        const filled = Math.round(fraction * width);
        stream.write(`\r${label}${"#".repeat(filled)}${".".repeat(width - filled)}${figures}`);
        drawn = true;
      } else {
        const quarter = Math.floor(fraction * 4);
        if (quarter !== lastQuarter) {
          lastQuarter = quarter;
          stream.write(`  uploading ${Math.round(fraction * 100)}% (${p.sent}/${p.total} bytes)\n`);
        }
      }
    } else if (p.phase !== lastPhase) {
      interrupt();
      const label = { connect: "connecting", upload: "uploading", verify: "verifying", switch: "switching the boot code", restart: "restarting" }[p.phase];
      stream.write(`  ${label}\n`);
    }
    lastPhase = p.phase;
  };
  return Object.assign(show, { interrupt });
}
