/**
 * The Moddable project the `moddable` platform writes beside an image
 * (manifest.json, main.js, the globals, the image) and `flashModdable`,
 * which runs mcconfig when the SDK is there and otherwise says what is
 * missing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build, ROOT } from "../tools/build/build.ts";
import { description } from "../platforms/moddable/platform.ts";
import { MODDABLE_BOARDS } from "../platforms/moddable/boards.ts";
import { flashModdable, mcconfigArgs, moddableToolchain } from "../platforms/moddable/flashModdable.ts";
import { projectDir } from "../platforms/moddable/project.ts";

const scratch = mkdtempSync(path.join(tmpdir(), "mote-moddable-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the Moddable project beside the image", () => {
  it("writes manifest.json, main.js, the globals and the image, ready for mcconfig", async () => {
    const report = await build({ entry: path.join(ROOT, "configurations", "BlinkAppC.ts"), platform: "moddable", board: "esp32_3leds", outDir: scratch, typecheck: false });
    // What tools/build must call after writing the image (see the report): here by hand.
    const files = description.writeProject!({ outDir: scratch, app: report.app, imageFile: report.imageFile!, image: report.image, board: MODDABLE_BOARDS.esp32_3leds });
    const dir = projectDir(scratch, "BlinkAppC");
    expect(files.map((f) => path.relative(dir, f)).sort()).toEqual(["main.js", "manifest.json", "mote_globals.js", "mote_image.js"]);
    const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as {
      include: string[];
      modules: Record<string, string[]>;
      config: Record<string, unknown>;
      platforms: Record<string, { config?: Record<string, unknown>; error?: string }>;
    };
    expect(manifest.include).toEqual(["$(MODDABLE)/modules/io/manifest.json"]);
    expect(manifest.modules).toEqual({ "*": ["./main", "./mote_globals", "./mote_image"] });
    expect(manifest.config).toEqual({ moteNodeId: 1 });
    expect(manifest.platforms.esp32!.config).toMatchObject({ moteLed0: 2, moteLed1: 4, moteLed2: 5, moteButton: 0, moteButtonInverted: true, moteUartPort: 2 });
    expect(manifest.platforms["..."]!.error).toMatch(/mcconfig -d -m -p esp32/);
    const main = readFileSync(path.join(dir, "main.js"), "utf8");
    expect(main.indexOf('import "mote_globals"')).toBeLessThan(main.indexOf('import "mote_image"'));
    const globals = readFileSync(path.join(dir, "mote_globals.js"), "utf8");
    for (const name of ['from "mc/config"', 'from "timer"', 'from "time"', 'from "embedded:provider/builtin"', "globalThis.moteConfig"]) expect(globals).toContain(name);
    expect(readFileSync(path.join(dir, "mote_image.js"), "utf8")).toBe(report.image);
    expect(readFileSync(report.imageFile!, "utf8")).toBe(report.image);
  });
});

describe("flashModdable", () => {
  const project = path.join(scratch, "Flash");
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(project, "manifest.json"), "{}");

  it("says what is missing and how to get it when the SDK is not installed", async () => {
    const result = await flashModdable({ projectDir: project, env: { PATH: "/nonexistent" }, run: () => Promise.reject(new Error("must not run")) });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/MODDABLE is not set: install the Moddable SDK \(git clone https:\/\/github.com\/Moddable-OpenSource\/moddable/);
    expect(result.message).toMatch(/IDF_PATH is not set: ESP32 builds need Espressif's ESP-IDF/);
    expect(result.message).toMatch(/then run: cd .* && mcconfig -d -m -p esp32/);
  });

  it("finds mcconfig in the SDK and runs it in the project, with the node id and port", async () => {
    const sdk = path.join(scratch, "moddable");
    const bin = path.join(sdk, "build", "bin", process.platform === "darwin" ? "mac" : "lin", "release");
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, "mcconfig"), "#!/bin/sh\n");
    const idf = path.join(scratch, "esp-idf");
    mkdirSync(idf, { recursive: true });
    const env = { PATH: "/nonexistent", MODDABLE: sdk, IDF_PATH: idf };
    expect(moddableToolchain(env)).toEqual({ ok: true, mcconfig: path.join(bin, "mcconfig"), missing: [] });
    const calls: { command: string; args: readonly string[]; cwd: string; port: string | undefined }[] = [];
    const result = await flashModdable({
      projectDir: project,
      board: "nodemcu",
      nodeId: 7,
      port: "/dev/ttyUSB0",
      env,
      run: (command, args, options) => {
        calls.push({ command, args, cwd: options.cwd, port: options.env.UPLOAD_PORT });
        return Promise.resolve(0);
      },
    });
    expect(result.ok).toBe(true);
    expect(calls).toEqual([{ command: path.join(bin, "mcconfig"), args: ["-d", "-m", "-p", "esp32/nodemcu", "moteNodeId=7"], cwd: project, port: "/dev/ttyUSB0" }]);
  });

  it("refuses a missing project, a bad node id and an unknown board", async () => {
    expect((await flashModdable({ projectDir: path.join(scratch, "none"), env: {} })).message).toMatch(/no Moddable project at .* build it first/);
    expect(() => mcconfigArgs({ nodeId: 70000 })).toThrow(/node id must be an integer 0..65535/);
    expect(() => mcconfigArgs({ board: "uno" })).toThrow(/unknown board `uno' for platform moddable/);
    expect(mcconfigArgs({ debug: false })).toEqual(["-m", "-p", "esp32"]);
  });
});
