/** `mote flash` as a person runs it, against the emulated Espruino board on a pseudo-terminal. */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { knownPlatforms, ROOT } from "../tools/build/build.ts";
import { type EmulatorOptions, EspruinoEmulator } from "../tools/flash/EspruinoEmulator.ts";
import { bootLoader } from "../tools/flash/protocol.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";

const MOTE = path.join(ROOT, "tools/cli/mote.js");
const HELLO = "test/fixtures/flash/HelloImage.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function board(options: Partial<EmulatorOptions> = {}) {
  const pair = await PtyLink.open();
  cleanups.push(() => pair.close());
  const emu = await EspruinoEmulator.open({ port: pair.mote, ...options });
  cleanups.push(() => emu.close());
  return { port: pair.host, emu };
}

interface Run {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
  /** Resolves once stdout contains `text`. */
  until(text: string): Promise<void>;
}

/** Runs `mote …` asynchronously (the emulated board lives in this process and needs its event loop). */
function mote(...args: string[]): Run {
  return moteIn({ cwd: ROOT, env: process.env }, ...args);
}

function moteIn(options: { cwd: string; env: NodeJS.ProcessEnv }, ...args: string[]): Run {
  const child = spawn(process.execPath, [MOTE, ...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  const waiters: (() => void)[] = [];
  const run: Run = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
    until: (text) =>
      new Promise((resolve) => {
        const check = () => run.stdout.includes(text) && (resolve(), true);
        if (!check()) waiters.push(() => void check());
      }),
  };
  child.stdout!.on("data", (d: Buffer) => {
    run.stdout += d.toString();
    for (const w of waiters) w();
  });
  child.stderr!.on("data", (d: Buffer) => (run.stderr += d.toString()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await run.exited;
  });
  return run;
}

describe("mote flash", () => {
  it("flashes a prebuilt image with a node id, shows progress on stderr and exits with --no-console", async () => {
    const { port, emu } = await board({ version: "2v25" });
    const run = mote("flash", "--image", HELLO, "--port", port, "--board", "puckjs", "--node-id", "3", "--no-console");
    expect(await run.exited).toBe(0);
    const image = readFileSync(path.join(ROOT, HELLO));
    expect(run.stderr).toContain(`mote flash: ${HELLO} to ${port} at 9600 baud`);
    expect(run.stderr).toContain("PUCKJS with Espruino 2v25");
    expect(run.stderr).toContain(`uploading 100% (${image.length}/${image.length} bytes)`);
    expect(run.stderr).toMatch(
      new RegExp(`wrote ${image.length} bytes to mote\\.b\\.js on the PUCKJS \\(Espruino 2v25\\) with the packet protocol, verified \\(CRC-32 0x[0-9a-f]{8}\\), 0 resent, .* as node 3`),
    );
    expect(emu.storage.read("mote.b.js")).toEqual(image);
    expect(emu.read(".motenode")).toBe("3");
    expect(emu.read(".bootcde")).toBe(bootLoader("mote.b.js"));
    expect((await emu.booted(2)).output).toBe("hello from the prebuilt image\r\n");
  });

  it("shows the board's console on stdout until Ctrl-C", async () => {
    const { port, emu } = await board({ version: "2v20" });
    const run = mote("flash", "--image", HELLO, "--port", port, "--baud", "115200");
    await run.until("hello from the prebuilt image");
    emu.print("reading 42\n");
    await run.until("reading 42");
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(run.stderr).toContain("with REPL lines, verified");
    expect(run.stderr).toContain("the board's console follows; Ctrl-C stops");
  });

  it("builds a configuration for the espruino platform and flashes it", async () => {
    const { port, emu } = await board();
    const run = mote("flash", "configurations/BlinkAppC.ts", "--platform", "espruino", "--board", "puckjs", "--port", port, "--no-console", "--no-typecheck");
    const code = await run.exited;
    if (knownPlatforms().includes("espruino")) {
      expect(run.stderr).toMatch(/mote flash: BlinkAppC \(\d+ bytes\) to /);
      expect(code).toBe(0);
      const image = emu.storage.read("mote.b.js")!.toString();
      expect(image.length).toBeGreaterThan(100);
      expect(emu.read(".bootcde")).toBe(bootLoader("mote.b.js"));
    } else {
      // Until platforms/espruino exists the build refuses the platform, and flash says what to do instead.
      expect(code).toBe(1);
      expect(run.stderr).toMatch(/unknown platform `espruino'/);
      expect(run.stderr).toMatch(/this tree has no espruino platform .* flash a prebuilt image with --image file\.js/);
      expect(emu.storage.files.size).toBe(0);
    }
  });

  it("says what is wrong: no such port, missing arguments, another platform", async () => {
    const missing = mote("flash", "--image", HELLO, "--port", "/dev/mote-no-such-port");
    expect(await missing.exited).toBe(1);
    expect(missing.stderr).toMatch(/^mote flash: no such port \/dev\/mote-no-such-port: nothing is connected there/m);

    const noPort = mote("flash", "--image", HELLO);
    expect(await noPort.exited).toBe(2);
    expect(noPort.stderr).toContain("flash needs --port");
    expect(noPort.stderr).toContain("usage:");

    const other = mote("flash", "configurations/BlinkAppC.ts", "--platform", "sim", "--port", "/dev/ttyACM0");
    expect(await other.exited).toBe(2);
    expect(other.stderr).toMatch(/flash puts images on Espruino boards \(--platform espruino\) and Moddable ones \(--platform moddable\); got --platform sim/);

    const noImage = mote("flash", "--image", "test/fixtures/flash/NoSuchImage.js", "--port", "/dev/ttyACM0");
    expect(await noImage.exited).toBe(1);
    expect(noImage.stderr).toMatch(/cannot read the image test\/fixtures\/flash\/NoSuchImage\.js/);
  });
});

describe("mote flash --platform moddable", () => {
  // The SDK cannot be installed here: a stand-in SDK whose mcconfig records how it was called.
  const scratch = mkdtempSync(path.join(tmpdir(), "mote-flash-moddable-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const sdk = path.join(scratch, "moddable");
  const bin = path.join(sdk, "build", "bin", "lin", "release");
  const idf = path.join(scratch, "esp-idf");
  const calls = path.join(scratch, "mcconfig-calls.txt");
  mkdirSync(bin, { recursive: true });
  mkdirSync(idf, { recursive: true });
  writeFileSync(path.join(bin, "mcconfig"), `#!/bin/sh\nprintf '%s|%s|%s\\n' "$*" "$PWD" "$UPLOAD_PORT" >> ${JSON.stringify(calls)}\n`);
  chmodSync(path.join(bin, "mcconfig"), 0o755);
  const work = path.join(scratch, "work");
  mkdirSync(work, { recursive: true });
  const app = path.join(ROOT, "configurations", "BlinkAppC.ts");
  const bareEnv = { PATH: "/usr/bin:/bin", HOME: scratch };

  it("without the SDK: builds the project, then says exactly what is missing and how to get it", async () => {
    const run = moteIn({ cwd: work, env: bareEnv }, "flash", app, "--platform", "moddable", "--board", "esp32", "--no-typecheck");
    expect(await run.exited).toBe(1);
    expect(run.stderr).toMatch(/built BlinkAppC \(\d+ bytes\) and its Moddable project in build\/moddable\/BlinkAppC/);
    expect(run.stderr).toMatch(/MODDABLE is not set: install the Moddable SDK \(git clone https:\/\/github.com\/Moddable-OpenSource\/moddable/);
    expect(run.stderr).toMatch(/IDF_PATH is not set/);
    expect(run.stderr).toMatch(/then run: cd .*build\/moddable\/BlinkAppC && mcconfig -d -m -p esp32/);
    expect(existsSync(path.join(work, "build", "moddable", "BlinkAppC", "manifest.json"))).toBe(true);
    expect(existsSync(calls)).toBe(false);
  });

  it("with $MODDABLE set: runs its mcconfig in the project, with the node id and the port", async () => {
    const env = { ...bareEnv, MODDABLE: sdk, IDF_PATH: idf, PATH: `${bin}:/usr/bin:/bin` };
    const run = moteIn({ cwd: work, env }, "flash", app, "--platform", "moddable", "--board", "esp32", "--node-id", "7", "--port", "/dev/ttyUSB0", "--no-typecheck");
    expect(await run.exited).toBe(0);
    expect(run.stderr).toMatch(/flashed .*BlinkAppC with .*mcconfig -d -m -p esp32 moteNodeId=7/);
    const [args, cwd, port] = readFileSync(calls, "utf8").trim().split("|");
    expect(args).toBe("-d -m -p esp32 moteNodeId=7");
    expect(realpathSync(cwd!)).toBe(realpathSync(path.join(work, "build", "moddable", "BlinkAppC")));
    expect(port).toBe("/dev/ttyUSB0");
  });
});
