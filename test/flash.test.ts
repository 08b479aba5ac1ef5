/**
 * mote flash against the emulated Espruino board: real pseudo-terminals
 * (socat) and the real serialport package on both ends.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type EmulatorOptions, EspruinoEmulator } from "../tools/flash/EspruinoEmulator.ts";
import { FlashError, portOpenError } from "../tools/flash/errors.ts";
import { flashEspruino, type FlashOptions, type FlashResult } from "../tools/flash/flash.ts";
import { bootLoader, crc32 } from "../tools/flash/protocol.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { SerialLink } from "../tools/flash/SerialLink.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function board(options: Partial<EmulatorOptions> = {}) {
  const pair = await PtyLink.open();
  cleanups.push(() => pair.close());
  const emu = await EspruinoEmulator.open({ port: pair.mote, ...options });
  cleanups.push(() => emu.close());
  return { port: pair.host, emu, pair };
}

/**
 * An image that prints `image <tag> booted` when the (emulated) board runs
 * it, padded to `size` bytes with lines of `~`, plus non-ASCII text so the
 * bytes must survive escaping.
 */
function image(tag: string, size = 3000): string {
  let text = `console.log("image ${tag} booted");\nvar s = "é ☃ \\u0001";\n/*\n`;
  while (Buffer.byteLength(text) < size - 3) text += `${"~".repeat(Math.min(63, size - 4 - Buffer.byteLength(text)))}\n`;
  return `${text}*/\n`.slice(0, size);
}

/**
 * Flashes with the console off; with `emu`, also waits until the board has
 * restarted into the image. (Pseudo-terminals are not paced, so the wire
 * time the flasher allows for is counted at 115200 baud.)
 */
async function flash(img: string, port: string, options: Partial<FlashOptions> = {}, emu?: EspruinoEmulator): Promise<FlashResult> {
  const boots = emu?.boots.length ?? 0;
  const result = await flashEspruino(img, { port, baud: 115200, console: false, replyTimeoutMs: 1500, ...options });
  cleanups.push(() => result.stop());
  if (emu) await emu.booted(boots + 1);
  return result;
}

async function flashError(promise: Promise<unknown>): Promise<FlashError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlashError);
  return error as FlashError;
}

/** What the board holds in a file, as bytes. */
const bytesOf = (emu: EspruinoEmulator, name: string) => emu.storage.read(name);

describe("flashing with the packet protocol (Espruino 2v25 and later)", () => {
  it("uploads beside the boot code, verifies, switches, writes the node id and restarts into the image", async () => {
    const { port, emu } = await board({ version: "2v25" });
    const img = image("A", 3000);
    const progress: string[] = [];
    const result = await flash(img, port, { nodeId: 7, onProgress: (p) => progress.push(`${p.phase}:${p.sent}`) }, emu);

    expect(result.protocol).toBe("packet");
    expect(result.firmware).toBe("2v25");
    expect(result.board).toBe("PUCKJS");
    expect(result.file).toBe("mote.b.js");
    expect(result.bytes).toBe(Buffer.byteLength(img));
    expect(result.crc).toBe(crc32(Buffer.from(img)));
    expect(result.retransmissions).toBe(0);
    expect(bytesOf(emu, "mote.b.js")).toEqual(Buffer.from(img));
    expect(emu.read(".bootcde")).toBe(bootLoader("mote.b.js"));
    expect(emu.read(".motenode")).toBe("7");
    // One FILE_SEND, then DATA packets of 1024 bytes, every one ACKed; no image bytes typed into the REPL.
    expect(emu.packets.map((p) => `${p.type}:${p.answer}`)).toEqual(["FILE_SEND:ACK", "DATA:ACK", "DATA:ACK", "DATA:ACK"]);
    expect(emu.packets.slice(1).map((p) => p.length)).toEqual([1024, 1024, Buffer.byteLength(img) - 2048]);
    expect(emu.lines.some((l) => l.includes("_moteChunk"))).toBe(false);
    // It was restarted with load() and booted the new image.
    expect(emu.boots.at(-1)).toEqual({ ran: [".bootcde", "mote.b.js"], output: "image A booted\r\n" });
    expect(progress[0]).toBe("connect:0");
    expect(progress).toContain(`upload:${result.bytes}`);
    expect(progress.slice(-3).map((p) => p.split(":")[0])).toEqual(["verify", "switch", "restart"]);
  });

  it("a second image goes into the other slot; the first stays until the switch", async () => {
    const { port, emu } = await board();
    await flash(image("A"), port);
    const second = await flash(image("B", 2500), port);
    expect(second.bootedSlot).toBe("mote.b.js");
    expect(second.file).toBe("mote.a.js");
    expect(bytesOf(emu, "mote.a.js")).toEqual(Buffer.from(image("B", 2500)));
    expect(bytesOf(emu, "mote.b.js")).toEqual(Buffer.from(image("A")));
    expect(emu.read(".bootcde")).toBe(bootLoader("mote.a.js"));
    expect(emu.powerCycle().output).toBe("image B booted\r\n");
    // And the third goes back into mote.b.js.
    expect((await flash(image("C"), port)).file).toBe("mote.b.js");
    expect(emu.powerCycle().output).toBe("image C booted\r\n");
  });

  it("retries NAKed packets and packets that lose bytes (also a lost packet start), and verifies the result", async () => {
    let packetStarts = 0;
    let sinceStart = 0;
    const { port, emu } = await board({
      packetTimeoutMs: 150,
      // Packet starts (SOH) counted as sent: 1 FILE_SEND, 2..5 DATA #1 (lost byte, NAK, NAK, ACK), 6.. DATA #2.
      dropInput: (_i, b) => {
        if (b === 0x01) {
          packetStarts++;
          sinceStart = 0;
          return packetStarts === 6; // the start of DATA #2: the board takes the packet as console input
        }
        sinceStart++;
        return (packetStarts === 2 || packetStarts === 7) && sinceStart === 500; // a byte inside a packet
      },
      // NAK the 2nd and 3rd packets the board receives whole.
      nakPacket: (i) => i === 1 || i === 2,
    });
    const img = image("D", 4000);
    const result = await flash(img, port, {}, emu);
    expect(bytesOf(emu, "mote.b.js")).toEqual(Buffer.from(img));
    expect(emu.boots.at(-1)!.output).toBe("image D booted\r\n");
    const naks = emu.packets.filter((p) => p.answer === "NAK");
    expect(naks.map((p) => p.reason)).toEqual([
      "timed out waiting for the rest of the packet",
      "NAKed by the test",
      "NAKed by the test",
      "timed out waiting for the rest of the packet",
    ]);
    // DATA #1 three times more, DATA #2 twice more (no answer at all, then a NAK).
    expect(result.retransmissions).toBe(5);
    expect(result.uploads).toBe(1);
    expect(emu.transcript).toMatch(/Uncaught SyntaxError/); // what the board made of the packet it took as console input
  });

  it("a board that stops answering mid-upload fails with a clear message and still boots the old image", async () => {
    const { port, emu } = await board();
    await flash(image("old"), port);
    emu.hangAfterInputBytes = emu.inputBytes + 1500;
    const error = await flashError(flash(image("new", 5000), port, { replyTimeoutMs: 300, retries: 2 }));
    expect(error.code).toBe("TRANSFER_FAILED");
    expect(error.message).toMatch(/stopped answering while sending mote\.a\.js bytes \d+\.\.\d+ \(no ACK after 3 tries\)/);
    expect(error.message).toMatch(/still boots its previous image/);
    expect(emu.isHung).toBe(true);
    // Power it off and on: the old image boots.
    expect(emu.read(".bootcde")).toBe(bootLoader("mote.b.js"));
    expect(emu.powerCycle()).toEqual({ ran: [".bootcde", "mote.b.js"], output: "image old booted\r\n" });
  });
  it("a board that goes away mid-upload (its USB port vanishes) fails clearly, boot code untouched", async () => {
    let gone = false;
    const { port, emu, pair } = await board();
    await flash(image("old"), port);
    const before = emu.inputBytes;
    emu.dropInput = (i) => {
      if (i >= before + 1500 && !gone) {
        gone = true;
        void pair.close(); // socat ends: both pseudo-terminals hang up, as a USB serial device unplugged
      }
      return false;
    };
    const error = await flashError(flash(image("new", 5000), port));
    expect(error.code).toBe("PORT_CLOSED");
    expect(error.message).toMatch(/closed: the board went away .*; the boot code was not switched, so the board still boots its previous image/);
    expect(emu.read(".bootcde")).toBe(bootLoader("mote.b.js"));
  });
});

describe("flashing by REPL lines (firmware before 2v25)", () => {
  it("types Storage.write lines that check each chunk's CRC, verifies and switches", async () => {
    const { port, emu } = await board({ version: "2v20" });
    const img = image("E", 1800);
    const result = await flash(img, port, { nodeId: 12 }, emu);
    expect(result.protocol).toBe("repl");
    expect(result.firmware).toBe("2v20");
    expect(emu.packets).toEqual([]);
    const writes = emu.lines.filter((l) => l.includes("_moteChunk"));
    expect(writes).toHaveLength(4); // 512-byte chunks
    expect(writes[0]).toMatch(/^print\("@"\+"@\d+ "\+JSON\.stringify\(E\.CRC32\(_moteChunk="/);
    expect(writes[0]).toContain(`require("Storage").write("mote.b.js",_moteChunk,0,${Buffer.byteLength(img)})`);
    expect(writes[1]).toContain(`require("Storage").write("mote.b.js",_moteChunk,512)`);
    expect(bytesOf(emu, "mote.b.js")).toEqual(Buffer.from(img));
    expect(emu.read(".motenode")).toBe("12");
    expect(emu.boots.at(-1)).toEqual({ ran: [".bootcde", "mote.b.js"], output: "image E booted\r\n" });
    // Lines started with DLE are not echoed: the board printed replies, never the lines.
    expect(emu.transcript).not.toContain("_moteChunk");
  });

  it("retries lines that lose bytes (a damaged chunk, a lost end of line) and verifies the result", async () => {
    let tildes = 0;
    let newlines = 0;
    const { port, emu } = await board({
      version: "2v20",
      dropInput: (_i, b) => (b === 0x7e && ++tildes === 300) || (b === 0x0a && ++newlines === 5),
    });
    const img = image("F", 2500);
    const result = await flash(img, port, { replyTimeoutMs: 500 }, emu);
    expect(bytesOf(emu, "mote.b.js")).toEqual(Buffer.from(img));
    expect(result.retransmissions).toBe(2);
    expect(emu.transcript).toMatch(/@@\d+ "crc"/); // the board refused the damaged chunk itself
    expect(emu.boots.at(-1)!.output).toBe("image F booted\r\n");
  });

  it("an upload that fails verification is uploaded again", async () => {
    let recent = "";
    let dropped = false;
    const { port, emu } = await board({
      version: "2v20",
      // Lose the "1" of the second chunk's offset (512): the chunk is intact, so the board writes it, at 52.
      dropInput: (_i, b) => {
        recent = (recent + String.fromCharCode(b)).slice(-13);
        if (!dropped && recent === "_moteChunk,51") return (dropped = true);
        return false;
      },
    });
    const img = image("M", 1800);
    const log: string[] = [];
    const result = await flash(img, port, { onLog: (m) => log.push(m) }, emu);
    expect(dropped).toBe(true);
    expect(result.uploads).toBe(2);
    expect(log.join("\n")).toMatch(/upload 1 of 2 failed \(verification failed: mote\.b\.js on the board holds 1800 bytes with CRC 0x[0-9a-f]{8}, expected 1800 bytes with CRC 0x[0-9a-f]{8}\); uploading again/);
    expect(bytesOf(emu, "mote.b.js")).toEqual(Buffer.from(img));
    expect(emu.boots.at(-1)!.output).toBe("image M booted\r\n");
  });

  it("a board that stops answering mid-upload fails clearly and still boots the old image", async () => {
    const { port, emu } = await board({ version: "2v20" });
    await flash(image("old"), port);
    emu.hangAfterInputBytes = emu.inputBytes + 1200;
    const error = await flashError(flash(image("new"), port, { replyTimeoutMs: 300, retries: 1 }));
    expect(error.code).toBe("TRANSFER_FAILED");
    expect(error.message).toMatch(/stopped answering while writing mote\.a\.js bytes \d+\.\.\d+ \(no reply after 2 tries\)/);
    expect(error.message).toMatch(/still boots its previous image/);
    expect(emu.powerCycle().output).toBe("image old booted\r\n");
  });

  it("refuses firmware older than 2v00, and packets on firmware before 2v25", async () => {
    const old = await board({ version: "1v99" });
    const tooOld = await flashError(flash(image("G"), old.port));
    expect(tooOld.code).toBe("FIRMWARE_TOO_OLD");
    expect(tooOld.message).toMatch(/runs Espruino 1v99; mote flash needs 2v00 or later/);
    const v24 = await board({ version: "2v24" });
    const noPackets = await flashError(flash(image("G"), v24.port, { protocol: "packet" }));
    expect(noPackets.code).toBe("FIRMWARE_TOO_OLD");
    expect(noPackets.message).toMatch(/packet protocol needs Espruino 2v25 or later; the board runs 2v24/);
    expect(v24.emu.storage.files.size).toBe(0);
  });
});

describe("boot files other than .bootcde", () => {
  it("erases a .bootrst (which Espruino runs in place of .bootcde) after the switch, so the new image runs, and says so", async () => {
    const { port, emu } = await board({ files: { ".bootcde": 'console.log("old bootcde")', ".bootrst": 'console.log("old bootrst")' } });
    expect(emu.powerCycle()).toEqual({ ran: [".bootrst"], output: "old bootrst\r\n" });
    const log: string[] = [];
    const result = await flash(image("N"), port, { onLog: (m) => log.push(m) }, emu);
    expect(result.erased).toEqual([".bootrst"]);
    expect(emu.read(".bootrst")).toBeUndefined();
    expect(log.join("\n")).toMatch(/erased \.bootrst \(26 bytes\): Espruino runs it at boot in place of \.bootcde, so the new image would never have run/);
    expect(emu.boots.at(-1)).toEqual({ ran: [".bootcde", "mote.b.js"], output: "image N booted\r\n" });
    // And it sticks: a power cycle boots the new image, not the old .bootrst.
    expect(emu.powerCycle()).toEqual({ ran: [".bootcde", "mote.b.js"], output: "image N booted\r\n" });
    // A board without one: nothing erased, nothing said about it.
    const again: string[] = [];
    expect((await flash(image("O"), port, { onLog: (m) => again.push(m) }, emu)).erased).toEqual([]);
    expect(again.join("\n")).not.toMatch(/bootrst/);
  });

  it("a .bootrst written by E.setBootCode(code, true) on the board is found and erased too", async () => {
    const { port, emu } = await board();
    await flash(image("A"), port, {}, emu);
    // As a person would type it in the Espruino IDE's console.
    const typed = await SerialLink.open(port, 115200);
    await typed.write('E.setBootCode(\'console.log("saved with alwaysExec")\', true)\n');
    await typed.waitFor((t) => (t.includes("=true") ? true : undefined), 2000);
    await typed.close();
    expect(emu.powerCycle().ran).toEqual([".bootrst"]);
    const result = await flash(image("B"), port, {}, emu);
    expect(result.erased).toEqual([".bootrst"]);
    expect(emu.powerCycle().output).toBe("image B booted\r\n");
  });

  it("leaves .boot0….boot3 (they run before the image) and names each in a warning", async () => {
    const { port, emu } = await board({ files: { ".boot0": 'console.log("boot0 ran")', ".boot2": "/* a module's boot code */" } });
    const log: string[] = [];
    const result = await flash(image("P"), port, { onLog: (m) => log.push(m) }, emu);
    expect(result.earlyBootFiles).toEqual([
      { name: ".boot0", bytes: 24 },
      { name: ".boot2", bytes: 26 },
    ]);
    expect(result.erased).toEqual([]);
    const warnings = log.filter((m) => m.startsWith("warning: the board also runs"));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^warning: the board also runs \.boot0 \(24 bytes\) at every boot, before the image; mote leaves it .*require\("Storage"\)\.erase\("\.boot0"\)/);
    expect(emu.read(".boot0")).toBe('console.log("boot0 ran")');
    expect(emu.powerCycle()).toEqual({ ran: [".boot0", ".boot2", ".bootcde", "mote.b.js"], output: "boot0 ran\r\nimage P booted\r\n" });
  });
});

describe("a board whose image took the console (a mote image with a serial stack)", () => {
  /** An image that moves the REPL off the port, as platforms/espruino/EspruinoUartP.ts does. */
  const takesConsole = (tag: string) => `console.log("image ${tag} booted");\nLoopbackA.setConsole(true);\n`;

  it("is recognised by its TinyOS serial frames and the message says how to start it without its boot code; after that it flashes", async () => {
    const { port, emu } = await board();
    await flash(takesConsole("S"), port, {}, emu);
    expect(emu.isConsoleTaken).toBe(true);
    const error = await flashError(flash(image("T"), port, { attentionTimeoutMs: 1500, expectBoard: "PUCKJS" }));
    expect(error.code).toBe("CONSOLE_TAKEN");
    expect(error.message).toMatch(/answers with TinyOS serial frames \(\d+ frames?: AM type 0x93 from node 7\), not Espruino's REPL: a mote image runs there and has taken the console/);
    expect(error.message).toMatch(/on a Puck\.js, take the battery out and put it back while holding the button/);
    // Nothing was written: the REPL never heard the flasher.
    expect(emu.read(".bootcde")).toBe(bootLoader("mote.b.js"));
    expect(emu.read("mote.a.js")).toBeUndefined();
    expect(emu.packets.filter((p) => p.type === "FILE_SEND")).toHaveLength(1); // the first flash's only

    // Reset with the button held: Espruino starts without the boot code, and the REPL is back.
    expect(emu.powerCycle({ skipBootCode: true }).ran).toEqual([]);
    expect(emu.isConsoleTaken).toBe(false);
    const result = await flash(image("T"), port, {}, emu);
    expect(result.file).toBe("mote.a.js");
    expect(emu.powerCycle().output).toBe("image T booted\r\n");
  });

  it("the advice names the board's way out: BTN1 held at reset, or erasing the flash where the firmware has no BTN1", async () => {
    const { port, emu } = await board({ board: "ESP32" });
    await flash(takesConsole("U"), port, {}, emu);
    const esp32 = await flashError(flash(image("V"), port, { attentionTimeoutMs: 1000, expectBoard: "ESP32" }));
    expect(esp32.code).toBe("CONSOLE_TAKEN");
    expect(esp32.message).toMatch(/has no button that skips the boot code, so erase the flash .*esptool/);
    const mdbt = await flashError(flash(image("V"), port, { attentionTimeoutMs: 1000, expectBoard: "MDBT42Q" }));
    expect(mdbt.message).toMatch(/with its button BTN1 held and let go straight away: Espruino then starts without running its boot code/);
  });

  it("a silent image that took the console: not mistaken for frames, but the message mentions the possibility", async () => {
    const { port, emu } = await board({ imageFrame: new Uint8Array(0) });
    await flash(takesConsole("W"), port, {}, emu);
    const error = await flashError(flash(image("X"), port, { attentionTimeoutMs: 600, expectBoard: "PUCKJS" }));
    expect(error.code).toBe("NOT_ESPRUINO");
    expect(error.message).toMatch(/: is an Espruino board connected there, .*A board running a mote image that uses the serial port no longer answers there either; to start it without its boot code: on a Puck\.js/);
  });
});

describe("refusals before anything is written", () => {
  it("a board with too little Storage is refused, naming the sizes", async () => {
    const { port, emu } = await board({ storageBytes: 2000 });
    const error = await flashError(flash(image("H", 3000), port));
    expect(error.code).toBe("IMAGE_TOO_BIG");
    expect(error.message).toMatch(/the image \(3000 bytes\) does not fit on the board: it has 2000 bytes of Storage free/);
    expect(error.message).toMatch(/Nothing was written/);
    expect(emu.storage.files.size).toBe(0);
    expect(emu.packets).toEqual([]);
  });

  it("counts the old image in the slot it would replace as free", async () => {
    const { port, emu } = await board({ storageBytes: 6000 });
    await flash(image("A", 2400), port); // mote.b.js
    await flash(image("B", 2400), port); // mote.a.js, boots it; Storage now nearly full
    expect(emu.storage.getFree()).toBeLessThan(2400);
    const third = await flash(image("C", 2400), port); // replaces mote.b.js
    expect(third.file).toBe("mote.b.js");
    expect(emu.powerCycle().output).toBe("image C booted\r\n");
  });

  it("an empty image", async () => {
    const error = await flashError(flash("", "/dev/mote-no-such-port"));
    expect(error.code).toBe("EMPTY_IMAGE");
    expect(error.message).toBe("the image is empty; nothing was flashed");
  });

  it("no such port, a busy port, permission denied", async () => {
    const missing = await flashError(flash(image("I"), "/dev/mote-no-such-port"));
    expect(missing.code).toBe("NO_SUCH_PORT");
    expect(missing.message).toMatch(/^no such port \/dev\/mote-no-such-port: nothing is connected there/);

    const { pair } = await board();
    const holder = await SerialLink.open(pair.host, 9600);
    cleanups.push(() => holder.close());
    const busy = await flashError(flash(image("I"), pair.host));
    expect(busy.code).toBe("PORT_BUSY");
    expect(busy.message).toMatch(/is busy: another program has it open/);

    // Tests run as root here, where no port refuses; this is the text serialport reports.
    const denied = portOpenError("/dev/ttyACM0", new Error("Error: Permission denied, cannot open /dev/ttyACM0"));
    expect(denied.code).toBe("PERMISSION_DENIED");
    expect(denied.message).toMatch(/permission denied opening \/dev\/ttyACM0: .*dialout group/);
  });

  it("nothing answering like Espruino: silence, and a device that only echoes", async () => {
    const silent = await PtyLink.open();
    cleanups.push(() => silent.close());
    const nothing = await flashError(flash(image("J"), silent.host, { attentionTimeoutMs: 600 }));
    expect(nothing.code).toBe("NOT_ESPRUINO");
    expect(nothing.message).toMatch(/^nothing answering like Espruino on .* within 0\.6 s \(it sent nothing\): is an Espruino board connected there/);

    const echo = await PtyLink.open();
    cleanups.push(() => echo.close());
    const loopback = await SerialLink.open(echo.mote, 9600);
    cleanups.push(() => loopback.close());
    loopback.listen((data) => void loopback.write(data));
    const echoed = await flashError(flash(image("J"), echo.host, { attentionTimeoutMs: 600 }));
    expect(echoed.code).toBe("NOT_ESPRUINO");
    expect(echoed.message).toMatch(/\(it sent \d+ bytes: "\\u0003\\n/);
  });
});

describe("the board's console", () => {
  it("after flashing shows what the board prints until stopped", async () => {
    const { port, emu } = await board();
    let text = "";
    let wake = () => {};
    const seen = (s: string) =>
      new Promise<void>((resolve) => {
        wake = () => text.includes(s) && resolve();
        wake();
      });
    const result = await flashEspruino(image("K"), {
      port,
      onConsole: (t) => {
        text += t;
        wake();
      },
    });
    cleanups.push(() => result.stop());
    await seen("image K booted");
    emu.print("sensor 1: 23.5\n");
    await seen("sensor 1: 23.5\r\n");
    await result.stop();
    await result.closed;
    // The reply lines of the upload are not part of the console.
    expect(text).not.toMatch(/@@\d+/);
  });

  it("interrupts running code with Ctrl-C to get the board's attention", async () => {
    const { port, emu } = await board({ busy: true });
    await flash(image("L"), port, {}, emu);
    expect(emu.transcript).toContain("Execution Interrupted");
    expect(emu.boots.at(-1)!.output).toBe("image L booted\r\n");
  });
});
