/**
 * `mote flash --platform moddable`: builds and flashes the Moddable project
 * that `mote build --platform moddable` wrote beside the image, with the
 * Moddable SDK's own `mcconfig -d -m -p <platform>`, when the SDK is
 * installed; otherwise it says exactly what is missing and how to get it.
 *
 * For the flash command (tools/flash):
 *
 * ```ts
 * const result = await flashModdable({ projectDir, board: "esp32", nodeId: 7, port: "/dev/ttyUSB0" });
 * if (!result.ok) { console.error(result.message); return 1; }
 * ```
 *
 * What is needed (see `moddableToolchain`):
 * - `MODDABLE`: the Moddable SDK checkout, its tools built;
 * - `mcconfig` on PATH (`$MODDABLE/build/bin/<lin|mac>/release`), or there;
 * - for ESP32 boards, ESP-IDF: `IDF_PATH` set (and its `export.sh` sourced).
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MODDABLE_BOARDS, moddableDetails } from "./boards.ts";

export interface ModdableFlashOptions {
  /** The project directory (`build/moddable/<App>/`, holding manifest.json). */
  readonly projectDir: string;
  /** A board of MODDABLE_BOARDS (default esp32). */
  readonly board?: string;
  /** The node id (mcconfig config `moteNodeId`); default the manifest's. */
  readonly nodeId?: number;
  /** The serial port to flash through (ESP-IDF's `UPLOAD_PORT`); default ESP-IDF's choice. */
  readonly port?: string;
  /** A debug build connected to xsbug (`-d`, default true), or a release build. */
  readonly debug?: boolean;
  /** The environment to look for the SDK in (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Runs a command; resolves with its exit code (default: spawn, output inherited). */
  readonly run?: (command: string, args: readonly string[], options: { cwd: string; env: Record<string, string | undefined> }) => Promise<number>;
}

export interface ModdableToolchain {
  readonly ok: boolean;
  /** `mcconfig`'s path when found. */
  readonly mcconfig: string | undefined;
  /** One line per missing piece: what, and how to get it. */
  readonly missing: readonly string[];
}

export interface ModdableFlashResult {
  readonly ok: boolean;
  /** The command run (or that would be run), for the user to see. */
  readonly command: readonly string[];
  readonly exitCode: number | undefined;
  readonly message: string;
}

const hostDir = () => (os.type() === "Darwin" ? "mac" : "lin");

function findOnPath(name: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** Whether the Moddable SDK (and ESP-IDF for ESP32 boards) is there; what is missing if not. */
export function moddableToolchain(env: Readonly<Record<string, string | undefined>> = process.env, board = "esp32"): ModdableToolchain {
  const missing: string[] = [];
  const moddable = env.MODDABLE;
  if (!moddable) {
    missing.push(
      "MODDABLE is not set: install the Moddable SDK (git clone https://github.com/Moddable-OpenSource/moddable; " +
        `build its tools with \`cd moddable/build/makefiles/${hostDir()} && make\`, as its documentation/Moddable SDK - Getting Started.md says), ` +
        `then export MODDABLE=<that directory> and add $MODDABLE/build/bin/${hostDir()}/release to PATH`,
    );
  } else if (!isDir(moddable)) {
    missing.push(`MODDABLE is ${moddable}, which is not a directory: point it at the Moddable SDK checkout`);
  }
  let mcconfig = findOnPath("mcconfig", env);
  if (!mcconfig && moddable) {
    const built = path.join(moddable, "build", "bin", hostDir(), "release", "mcconfig");
    if (existsSync(built)) mcconfig = built;
  }
  if (!mcconfig && moddable && isDir(moddable)) {
    missing.push(
      `mcconfig not found on PATH nor in $MODDABLE/build/bin/${hostDir()}/release: build the SDK's tools ` +
        `(cd $MODDABLE/build/makefiles/${hostDir()} && make) and add that directory to PATH`,
    );
  }
  const platform = moddableDetails(MODDABLE_BOARDS[board]).mcconfigPlatform;
  if (platform.startsWith("esp32")) {
    if (!env.IDF_PATH) {
      missing.push(
        "IDF_PATH is not set: ESP32 builds need Espressif's ESP-IDF; install the version $MODDABLE/documentation/devices/esp32.md names, " +
          "then export IDF_PATH=<esp-idf directory> and source $IDF_PATH/export.sh",
      );
    } else if (!isDir(env.IDF_PATH)) {
      missing.push(`IDF_PATH is ${env.IDF_PATH}, which is not a directory: point it at ESP-IDF`);
    }
  }
  return { ok: missing.length === 0, mcconfig, missing };
}

/** The mcconfig command line for a project. */
export function mcconfigArgs(options: Pick<ModdableFlashOptions, "board" | "nodeId" | "debug">): string[] {
  const board = options.board ?? "esp32";
  const details = MODDABLE_BOARDS[board];
  if (!details) throw new Error(`unknown board \`${board}' for platform moddable; known boards: ${Object.keys(MODDABLE_BOARDS).join(", ")}`);
  const args = [options.debug === false ? "" : "-d", "-m", "-p", moddableDetails(details).mcconfigPlatform].filter((a) => a !== "");
  if (options.nodeId !== undefined) {
    if (!(Number.isInteger(options.nodeId) && options.nodeId >= 0 && options.nodeId <= 0xffff)) {
      throw new RangeError(`node id must be an integer 0..65535, got ${options.nodeId}`);
    }
    args.push(`moteNodeId=${options.nodeId}`);
  }
  return args;
}

const spawnRun: NonNullable<ModdableFlashOptions["run"]> = (command, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });

/** Builds and flashes the project with mcconfig, or says what is missing. */
export async function flashModdable(options: ModdableFlashOptions): Promise<ModdableFlashResult> {
  const env = options.env ?? process.env;
  const board = options.board ?? "esp32";
  const args = mcconfigArgs(options);
  const manifest = path.join(options.projectDir, "manifest.json");
  if (!existsSync(manifest)) {
    return {
      ok: false,
      command: ["mcconfig", ...args],
      exitCode: undefined,
      message: `no Moddable project at ${options.projectDir} (no manifest.json): build it first with \`mote build <App>.ts --platform moddable --board ${board}\``,
    };
  }
  const toolchain = moddableToolchain(env, board);
  const command = [toolchain.mcconfig ?? "mcconfig", ...args];
  if (!toolchain.ok) {
    return {
      ok: false,
      command,
      exitCode: undefined,
      message: `cannot flash with the Moddable SDK; missing:\n${toolchain.missing.map((m) => `  - ${m}`).join("\n")}\nthen run: cd ${options.projectDir} && ${["mcconfig", ...args].join(" ")}`,
    };
  }
  const runEnv: Record<string, string | undefined> = { ...env };
  if (options.port) runEnv.UPLOAD_PORT = options.port;
  const exitCode = await (options.run ?? spawnRun)(command[0]!, command.slice(1), { cwd: options.projectDir, env: runEnv });
  return {
    ok: exitCode === 0,
    command,
    exitCode,
    message: exitCode === 0 ? `flashed ${options.projectDir} with ${command.join(" ")}` : `mcconfig failed (exit code ${exitCode}): ${command.join(" ")} in ${options.projectDir}`,
  };
}
