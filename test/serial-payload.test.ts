/**
 * TOSH_DATA_LENGTH set per application at build time (TinyOS's
 * `CFLAGS += -DTOSH_DATA_LENGTH=100`): the configuration declares
 * `export const TOSH_DATA_LENGTH = 100;` or the build is given
 * `dataLength` (`mote build --data-length`). The length reaches every
 * message buffer, the serial deframer, maxPayloadLength and the build's
 * check that each message fits.
 */
import * as esbuild from "esbuild";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createMessage, type Message } from "../components/message/Message.ts";
import { BuildError } from "../tools/build/diagnostics.ts";
import { build, loadPlatform, messageBufferLayout, ROOT } from "../tools/build/build.ts";
import { loadImageText } from "../tools/sim/image.ts";
import { World } from "../tools/sim/World.ts";
import { type AmPacket, SerialReader, SerialWriter } from "../tools/serial/index.ts";
import { WideMsg } from "./fixtures/payload/WideMsg.ts";
import { buildApp } from "./support.ts";

const fixture = (name: string) => path.join(ROOT, "test/fixtures/payload", `${name}.ts`);
const buildFixture = (name: string, dataLength?: number) =>
  build({ entry: fixture(name), platform: "sim", write: false, typecheck: false, ...(dataLength === undefined ? {} : { dataLength }) });
const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(BuildError);
  return (e as BuildError).diagnostics[0]!;
};

/** Two base stations (0 and 1) in radio range, the PC on each serial port. */
async function pair(image: string) {
  const world = new World({ seed: 3 });
  const factory = loadImageText(image, "image.js");
  const heard = new Map<number, AmPacket[]>();
  const readers = new Map<number, SerialReader>();
  for (const id of [0, 1]) {
    world.addMote({ id, image: factory, bootAtMs: 0 });
    heard.set(id, []);
    const reader = new SerialReader({ onPacket: (p) => heard.get(id)!.push(p) });
    readers.set(id, reader);
    world.onSerial(id, (bytes) => reader.push(bytes));
  }
  world.setLink(0, 1, -50);
  return { world, heard, readers };
}

const payload = Uint8Array.from({ length: 100 }, (_, i) => (i * 7 + 1) & 0xff);

describe("TOSH_DATA_LENGTH per application", () => {
  it("defaults to 28; the configuration's declaration and the build option set it", async () => {
    expect((await buildApp("BaseStationAppC")).dataLength).toBe(28);
    const declared = await buildFixture("WideBaseStationAppC");
    expect(declared.dataLength).toBe(100);
    expect(declared.image).not.toContain("MOTE_TOSH_DATA_LENGTH");
    expect((await build({ entry: path.join(ROOT, "configurations/BaseStationAppC.ts"), platform: "sim", write: false, typecheck: false, dataLength: 64 })).dataLength).toBe(64);
    // The option is over the declaration, as a command line's CFLAGS over a Makefile's.
    expect((await buildFixture("WideBaseStationAppC", 120)).dataLength).toBe(120);
    // Every buffer grows with it: BaseStation's 24 queued messages, the radio's spare and the serial receive message.
    const wide = declared.staticBuffers!.bytes;
    const narrow = (await buildApp("BaseStationAppC")).staticBuffers!.bytes;
    expect(wide - narrow).toBeGreaterThanOrEqual((24 + 2) * (100 - 28));
  });

  it("a 100-byte payload goes PC -> serial -> radio -> serial -> PC between two base stations built with 100", async () => {
    const { world, heard, readers } = await pair((await buildFixture("WideBaseStationAppC")).image);
    world.runUntil(100);
    const writer = new SerialWriter(5);
    world.serialWrite(0, writer.packet({ type: WideMsg.amType, dest: 0xffff, payload }).bytes);
    world.runUntil(400);
    const got = heard.get(1)!;
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: WideMsg.amType, src: 0, dest: 0xffff, group: 0x22 });
    expect(got[0]!.payload).toEqual(payload);
    // And back the other way.
    world.serialWrite(1, writer.packet({ type: 0x52, dest: 0xffff, payload: payload.slice().reverse() }).bytes);
    world.runUntil(800);
    expect(heard.get(0)!.map((p) => [p.type, p.src, p.payload.length])).toEqual([[0x52, 1, 100]]);
    expect(heard.get(0)![0]!.payload).toEqual(payload.slice().reverse());
    for (const r of readers.values()) expect(Object.values(r.stats.dropped).every((n) => n === 0)).toBe(true);
  });

  it("the default base station drops a 100-byte packet from the PC and forwards a 28-byte one", async () => {
    const { world, heard } = await pair((await buildApp("BaseStationAppC")).image);
    world.runUntil(100);
    const writer = new SerialWriter(0);
    world.serialWrite(0, writer.packet({ type: 0x51, payload }).bytes);
    world.serialWrite(0, writer.packet({ type: 0x51, payload: payload.subarray(0, 28) }).bytes);
    world.runUntil(600);
    expect(heard.get(1)!.map((p) => p.payload.length)).toEqual([28]);
  });

  it("a message larger than the application's payload is a build error at its declaration", async () => {
    const d = await refusal(buildFixture("WideSenderAppC"));
    expect(d.message).toContain("message `WideMsg' is 100 bytes; the payload holds 28 (TOSH_DATA_LENGTH");
    expect(d.location).toMatchObject({ file: fixture("WideMsg"), line: 4 });
    const d99 = await refusal(buildFixture("WideSenderAppC", 99));
    expect(d99.message).toContain("is 100 bytes; the payload holds 99");
    // With room for it, the image sends it whole.
    const { world, heard } = await pair((await buildFixture("WideSenderAppC", 100)).image);
    world.runUntil(200);
    expect(heard.get(0)!.map((p) => [p.type, p.payload.length])).toEqual([[WideMsg.amType, 100]]);
    expect(Array.from(heard.get(0)![0]!.payload)).toEqual(Array.from({ length: 100 }, (_, i) => (i * 3) & 0xff));
  });

  it("refuses a length one serial frame cannot carry, or one it cannot read, naming where it was set", async () => {
    const over = await refusal(buildFixture("WideBaseStationAppC", 246));
    expect(over.message).toBe(
      "TOSH_DATA_LENGTH 246 (set by --data-length) must be 1..245: one serial frame (SERIAL_MTU 255 bytes) carries at most 245 payload bytes after its dispatch byte, AM header and CRC",
    );
    expect((await refusal(buildFixture("WideBaseStationAppC", 0))).message).toContain("TOSH_DATA_LENGTH 0 (set by --data-length) must be 1..245");
    const declared = await refusal(buildFixture("OverWideAppC"));
    expect(declared.message).toContain("TOSH_DATA_LENGTH 250 (set in OverWideAppC.ts:4) must be 1..245");
    expect(declared.location).toMatchObject({ file: fixture("OverWideAppC"), line: 4 });
    const computed = await refusal(buildFixture("ComputedWidthAppC"));
    expect(computed.message).toBe("TOSH_DATA_LENGTH must be a whole number written out (the build reads it before running anything), got `20 * 5'");
    expect(computed.location).toMatchObject({ file: fixture("ComputedWidthAppC"), line: 4 });
  });
});

describe("mote build --data-length", () => {
  const mote = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(ROOT, "tools/cli/mote.js"), ...args], { cwd: ROOT }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it("sets the payload, and refuses one a serial frame cannot carry or a length that is not a number", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "mote-payload-"));
    const ok = await mote("build", "configurations/BaseStationAppC.ts", "--platform", "sim", "--data-length", "64", "--json", "--no-typecheck", "--out", out);
    rmSync(out, { recursive: true, force: true });
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { dataLength: number }).dataLength).toBe(64);
    const table = await mote("build", "configurations/BaseStationAppC.ts", "--platform", "sim", "--data-length", "64", "--no-typecheck", "--out", out);
    rmSync(out, { recursive: true, force: true });
    expect(table.stdout).toMatch(/TOSH_DATA_LENGTH +64 \(default 28\)/);
    const over = await mote("build", "configurations/BaseStationAppC.ts", "--platform", "sim", "--data-length", "300", "--no-typecheck");
    expect(over.code).toBe(1);
    expect(over.stderr).toContain("TOSH_DATA_LENGTH 300 (set by --data-length) must be 1..245");
    const word = await mote("build", "configurations/BaseStationAppC.ts", "--platform", "sim", "--data-length", "lots");
    expect(word.code).toBe(2);
    expect(word.stderr).toContain("--data-length must be a whole number of bytes, got lots");
  });
});

describe("message_t: header, data, footer, metadata", () => {
  /** createMessage as an image built with `define` has it. */
  async function imageCreateMessage(define: Record<string, string>): Promise<Message> {
    const out = await esbuild.build({
      stdin: { contents: `export { createMessage } from "./components/message/Message.ts";`, resolveDir: ROOT, loader: "ts" },
      bundle: true,
      write: false,
      format: "iife",
      globalName: "m",
      minifySyntax: true,
      define,
      logLevel: "silent",
    });
    const text = out.outputFiles[0]!.text;
    // Folded at build time: the image keeps no trace of the defines.
    expect(text).not.toContain("MOTE_");
    return (new Function(`${text}; return m;`)() as { createMessage: () => Message }).createMessage();
  }

  it("on the host: 7 + 28 + 0 + 4 bytes, the payload a view at 7, the metadata right after it", () => {
    const msg = createMessage();
    expect([msg.bytes.length, msg.data.byteOffset, msg.data.length, msg.metadataOffset]).toEqual([39, 7, 28, 35]);
  });

  it("a platform's footer goes between the payload and the metadata; the payload length sizes the data", async () => {
    const sim = await loadPlatform("sim");
    const entry = fixture("WideBaseStationAppC");
    expect(messageBufferLayout(entry, sim).define).toEqual({ MOTE_TOSH_DATA_LENGTH: "100", MOTE_MESSAGE_FOOTER_SIZE: "0" });
    const withFooter = messageBufferLayout(entry, { ...sim, messageFooterSize: 2 }, 40);
    expect(withFooter.define).toEqual({ MOTE_TOSH_DATA_LENGTH: "40", MOTE_MESSAGE_FOOTER_SIZE: "2" });
    const msg = await imageCreateMessage(withFooter.define);
    expect([msg.bytes.length, msg.data.byteOffset, msg.data.length, msg.metadataOffset]).toEqual([7 + 40 + 2 + 4, 7, 40, 49]);
    const plain = await imageCreateMessage(messageBufferLayout(entry, sim).define);
    expect([plain.bytes.length, plain.data.length, plain.metadataOffset]).toEqual([111, 100, 107]);
  });
});
