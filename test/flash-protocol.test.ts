/** The flasher's wire formats, and the emulated board's console, typed into as a person would. */
import { afterEach, describe, expect, it } from "vitest";
import { Interpreter, type Value } from "../tools/flash/emulatedJs.ts";
import { EspruinoEmulator } from "../tools/flash/EspruinoEmulator.ts";
import {
  byteStringLiteral,
  crc32,
  encodePacket,
  findReply,
  PacketType,
  parseVersion,
  replyLine,
  versionAtLeast,
} from "../tools/flash/protocol.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { SerialLink } from "../tools/flash/SerialLink.ts";

describe("wire formats", () => {
  it("CRC-32 is the standard one (as E.CRC32)", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it("packets: DLE SOH, 3 type bits and 13 length bits big-endian, then the payload", () => {
    expect([...encodePacket(PacketType.DATA, Buffer.from("abc"))]).toEqual([0x10, 0x01, 0x80, 0x03, 0x61, 0x62, 0x63]);
    expect([...encodePacket(PacketType.FILE_SEND, Buffer.alloc(0x123)).subarray(0, 4)]).toEqual([0x10, 0x01, 0x61, 0x23]);
    expect(() => encodePacket(PacketType.DATA, Buffer.alloc(0x2000))).toThrow(/exceeds 8191/);
  });

  it("firmware versions", () => {
    expect(parseVersion("2v25")).toEqual({ major: 2, minor: 25, text: "2v25" });
    expect(parseVersion("2v24.97")).toMatchObject({ major: 2, minor: 24 });
    expect(parseVersion("banana")).toBeUndefined();
    expect(versionAtLeast(parseVersion("2v25")!, 2, 25)).toBe(true);
    expect(versionAtLeast(parseVersion("2v24.97")!, 2, 25)).toBe(false);
    expect(versionAtLeast(parseVersion("3v01")!, 2, 25)).toBe(true);
  });

  it("any bytes survive as an Espruino string literal", () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const literal = byteStringLiteral(bytes);
    expect(literal).toMatch(/^"[\x20-\x7e]*"$/);
    const globals = new Map<string, Value>();
    const board = new Interpreter({
      version: "2v25",
      board: "TEST",
      globals,
      storage: { read: () => undefined, write: () => true, erase: () => {}, getFree: () => 0, list: () => [] },
      print: () => {},
      evaluating: () => {},
      load: () => {},
      reset: () => {},
      reboot: () => {},
      takeConsole: () => {},
    });
    expect(board.run(`E.CRC32(${literal})`, "repl")).toBe(crc32(bytes));
  });

  it("a reply is found by its marker, which the line's own echo never contains", () => {
    const line = replyLine(7, "1");
    expect(findReply(line, 7)).toBeUndefined();
    expect(findReply(`${line}\r\n@@7 [1,"a"]\r\n>`, 7)).toEqual({ json: '[1,"a"]', end: line.length + 2 + 11 });
    expect(findReply("@@7 [1,", 7)).toBeUndefined(); // not a whole line yet
    expect(findReply("@@17 1\r\n", 7)).toBeUndefined();
  });
});

describe("the emulated board's console", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function console_(version = "2v25") {
    const pair = await PtyLink.open();
    cleanups.push(() => pair.close());
    const emu = await EspruinoEmulator.open({ port: pair.mote, version });
    cleanups.push(() => emu.close());
    const link = await SerialLink.open(pair.host, 9600);
    cleanups.push(() => link.close());
    // What the board printed when it powered on waits in the pseudo-terminal until someone reads it.
    await link.waitFor((t) => (t.includes(`${version} (emulated PUCKJS)\r\n\r\n`) ? true : undefined), 5000);
    /** Types `text`, then waits until the board has printed `expect`; returns what it printed. */
    const type = async (text: string, expect: string) => {
      link.consume();
      await link.write(text);
      const seen = await link.waitFor((t) => (t.includes(expect) ? t : undefined), 5000);
      if (seen === undefined) throw new Error(`board printed ${JSON.stringify(link.received)}, not ${JSON.stringify(expect)}`);
      return seen;
    };
    return { emu, link, type };
  }

  it("echoes, prints =value and a prompt; DLE lines are not echoed; errors are Uncaught", async () => {
    const { type, emu } = await console_();
    expect(await type("1+2\n", ">")).toBe("1+2\r\n=3\r\n>");
    expect(await type('\x10print("hi "+process.env.VERSION)\n', ">")).toBe("hi 2v25\r\n>");
    expect(await type("\x10nosuch()\n", ">")).toBe('Uncaught ReferenceError: "nosuch" is not defined\r\n>');
    expect(await type('require("Storage").write("f","abc")\n', ">")).toContain("=true");
    expect(emu.read("f")).toBe("abc");
    expect(await type('require("Storage").read("f").length\n', ">")).toContain("=3");
    expect(await type("require('Storage').getFree()\n", ">")).toContain(`=${emu.storage.getFree()}`);
  });

  it("continues a line with open brackets; Ctrl-C clears it", async () => {
    const { type } = await console_();
    expect(await type("print(1,\n", ":")).toBe("print(1,\r\n:");
    expect(await type("\x03", ">")).toBe("\r\n>");
    expect(await type("print(2)\n", ">")).toBe("print(2)\r\n2\r\n=undefined\r\n>");
  });

  it("load() runs the boot code; E.setBootCode writes it", async () => {
    const { type, emu } = await console_("2v20");
    await type('\x10E.setBootCode("console.log(\\"booted\\")")\n', "");
    expect(await type("\x10load()\n", "booted\r\n")).toContain("booted");
    expect(emu.boots.at(-1)).toEqual({ ran: [".bootcde"], output: "booted\r\n" });
  });
});
