/**
 * An emulated Espruino board on a serial port (one end of a socat
 * pseudo-terminal pair), for testing the flasher without hardware.
 *
 * It speaks the console as Espruino does: echo, `>` prompts, lines that
 * start with DLE not echoed, `=value` after echoed lines, `Uncaught …`
 * errors, Ctrl-C clearing the line (or interrupting running code), lines
 * with open brackets continued. From 2v25 it takes DLE SOH packets
 * (FILE_SEND, DATA, EVENT, EVAL) and answers ACK or NAK, with NAK when a
 * packet's bytes stop arriving. It evaluates only the JavaScript in
 * emulatedJs.ts. Storage lives in memory; `load()`, `E.reboot()` and
 * powerCycle() run the boot files as the board does (`.boot0`…`.boot3`,
 * then `.bootrst` if present, else `.bootcde`).
 *
 * Faults for tests: an old firmware version, little Storage, dropped input
 * bytes, NAKed packets, a board that stops answering, bytes paced at a baud
 * rate, and an image that has taken the console (`LoopbackA.setConsole(…)`,
 * as a mote image with a serial stack does): then the REPL is gone, input
 * goes to the image, and the port carries the image's TinyOS serial frames
 * until the board is reset with its button held (powerCycle({ skipBootCode:
 * true })), which starts it without the boot code.
 *
 * Also a program: `node --import ./tools/register.js tools/flash/EspruinoEmulator.ts --port /dev/pts/N [--version 2v25] ...`
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { Builtin, format, Interpreter, JsError, type Value } from "./emulatedJs.ts";
import {
  ACK,
  CTRL_C,
  DLE,
  encodePacket,
  NAK,
  PacketType,
  packetTypeName,
  type PacketTypeName,
  parseVersion,
  PACKET_FIRMWARE,
  SOH,
  STORAGE_FILE_OVERHEAD,
  versionAtLeast,
  wireMs,
} from "./protocol.ts";
import { SerialLink } from "./SerialLink.ts";
import { encodeAmFrame } from "../serial/SerialCodec.ts";

export interface EmulatorOptions {
  /** The pseudo-terminal end the emulated board sits on. */
  readonly port: string;
  /** Firmware version it reports (default 2v25; before 2v25 there are no packets). */
  readonly version?: string;
  /** `process.env.BOARD` (default PUCKJS). */
  readonly board?: string;
  /** Storage capacity in bytes, file headers included (default 40,000). */
  readonly storageBytes?: number;
  /** Pace the bytes in both directions at this baud rate (8N1); default: as fast as they come. */
  readonly baud?: number;
  /** How long a packet may wait for its next byte before it is NAKed (default 1000 ms, as Espruino). */
  readonly packetTimeoutMs?: number;
  /** Files already in Storage. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Start "running code" that keeps the REPL busy until Ctrl-C. */
  readonly busy?: boolean;
  /** Input bytes to lose: called with each byte's index (from 0, counting every byte received). */
  readonly dropInput?: (index: number, byte: number) => boolean;
  /** Packets to NAK although they arrived whole: called with the packet's index (from 0) and type. */
  readonly nakPacket?: (index: number, type: PacketTypeName | undefined) => boolean;
  /** Stop answering (ignore input, print nothing) once this many input bytes have arrived, until powerCycle(). */
  readonly hangAfterInputBytes?: number;
  /**
   * What an image that took the console sends on the port, every `imageFrameEveryMs`
   * (default 200 ms): by default one Oscilloscope-like TinyOS serial frame; empty for a silent image.
   */
  readonly imageFrame?: Uint8Array;
  readonly imageFrameEveryMs?: number;
}

/** A frame a mote image's serial stack might send: an AM packet of type 0x93 from node 7 (Oscilloscope's). */
export const DEFAULT_IMAGE_FRAME: Uint8Array = encodeAmFrame({ dest: 0xffff, src: 7, type: 0x93, payload: new Uint8Array([0, 1, 0, 100, 0, 3, 1, 2, 3]) });

export interface PowerCycleOptions {
  /** Reset with the button held: Espruino starts without running the boot files (its way out of code that took the console). */
  readonly skipBootCode?: boolean;
}

export interface BootRecord {
  /** Boot files run, in order, and the Storage files they `eval`ed. */
  readonly ran: string[];
  /** What the code printed while booting. */
  output: string;
}

export interface PacketRecord {
  readonly type: PacketTypeName | undefined;
  readonly length: number;
  readonly answer: "ACK" | "NAK" | "RESPONSE";
  readonly reason?: string;
}

const MAX_NAME = 28;

/** Espruino's Storage, in memory. */
export class EmulatedStorage {
  readonly files = new Map<string, Buffer>();
  constructor(readonly capacity: number) {}

  used(): number {
    let total = 0;
    for (const data of this.files.values()) total += STORAGE_FILE_OVERHEAD + ((data.length + 3) & ~3);
    return total;
  }
  getFree(): number {
    return Math.max(0, this.capacity - this.used());
  }
  private checkName(name: string) {
    if (!name || name.length > MAX_NAME) throw new JsError("Error", `File name ${JSON.stringify(name)} must be 1..${MAX_NAME} characters`);
  }
  /** A new file of `size` bytes (0xFF, as erased flash), replacing one of the same name; false when it does not fit. */
  create(name: string, size: number): boolean {
    this.checkName(name);
    const old = this.files.get(name);
    this.files.delete(name);
    if (STORAGE_FILE_OVERHEAD + size > this.getFree()) {
      if (old) this.files.set(name, old);
      return false;
    }
    this.files.set(name, Buffer.alloc(size, 0xff));
    return true;
  }
  /** As `require("Storage").write(name, data, offset, size)`. */
  write(name: string, data: Buffer, offset?: number, size?: number): boolean {
    this.checkName(name);
    let file = this.files.get(name);
    if (!offset || !file) {
      if (offset && !file) throw new JsError("Error", `Can't write to ${name} at ${offset}: the file does not exist`);
      if (!this.create(name, size ?? data.length)) throw new JsError("Error", "Not enough free space in Storage");
      file = this.files.get(name)!;
    }
    const at = offset ?? 0;
    if (at + data.length > file.length) throw new JsError("Error", `Too much data for file size (${at + data.length} > ${file.length})`);
    data.copy(file, at);
    return true;
  }
  /** Writes into an existing file (a packet transfer's DATA). */
  writeInto(name: string, data: Buffer, offset: number): void {
    const file = this.files.get(name);
    if (!file || offset + data.length > file.length) throw new JsError("Error", `Can't write ${data.length} bytes at ${offset} of ${name}`);
    data.copy(file, offset);
  }
  read(name: string): Buffer | undefined {
    return this.files.get(name);
  }
  erase(name: string): void {
    this.files.delete(name);
  }
}

/**
 * Delivers bytes as a serial line at `baud` would: each when its last bit
 * is through. Timers tick in whole milliseconds, so bulk bytes go in
 * batches; the last millisecond of a burst is timed with setImmediate so a
 * burst ends on time, not up to a tick late.
 */
class Pacer {
  private queue: Buffer[] = [];
  private queued = 0;
  /** When the byte before the first queued one finished (ms, performance.now()). */
  private clock = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private readonly byteMs: number;
  constructor(
    baud: number | undefined,
    private readonly sink: (bytes: Buffer) => void,
  ) {
    this.byteMs = baud ? wireMs(1, baud) : 0;
  }

  push(bytes: Buffer) {
    if (!this.byteMs) {
      this.sink(bytes);
      return;
    }
    if (this.queued === 0) this.clock = Math.max(this.clock, performance.now());
    this.queue.push(bytes);
    this.queued += bytes.length;
    this.schedule();
  }

  clear() {
    this.queue = [];
    this.queued = 0;
    this.cancel();
  }

  private cancel() {
    if (this.timer === undefined) return;
    if ("refresh" in this.timer) clearTimeout(this.timer);
    else clearImmediate(this.timer);
    this.timer = undefined;
  }

  private schedule() {
    if (this.timer !== undefined || this.queued === 0) return;
    const now = performance.now();
    const burstEnds = this.clock + this.queued * this.byteMs;
    if (burstEnds - now <= 1) this.timer = setImmediate(() => this.tick());
    else this.timer = setTimeout(() => this.tick(), Math.max(1, this.clock + this.byteMs - now));
  }

  private tick() {
    this.timer = undefined;
    const count = Math.min(this.queued, Math.floor((performance.now() - this.clock) / this.byteMs));
    if (count > 0) {
      const all = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue);
      const rest = all.subarray(count);
      this.queue = rest.length ? [rest] : [];
      this.queued = rest.length;
      this.clock += count * this.byteMs;
      this.sink(all.subarray(0, count));
    }
    this.schedule();
  }
}

interface PacketState {
  header: number[];
  type: number;
  length: number;
  payload: number[];
}

export class EspruinoEmulator {
  readonly storage: EmulatedStorage;
  readonly version: string;
  readonly board: string;
  readonly packets: PacketRecord[] = [];
  readonly boots: BootRecord[] = [];
  /** Every byte the board has printed, as text (latin1). */
  transcript = "";
  /** Input bytes received so far (dropped ones included). */
  inputBytes = 0;
  /** Lines the REPL executed (without the DLE). */
  readonly lines: string[] = [];
  /** The faults, changeable while the board runs (see EmulatorOptions). */
  dropInput: EmulatorOptions["dropInput"];
  nakPacket: EmulatorOptions["nakPacket"];
  hangAfterInputBytes: number | undefined;

  private readonly options: EmulatorOptions;
  private readonly packetsSupported: boolean;
  private readonly inPacer: Pacer;
  private readonly outPacer: Pacer;
  private interpreter!: Interpreter;
  private globals = new Map<string, Value>();
  private line = "";
  private echoOffForLine = false;
  private lastWasCR = false;
  private sawDle = false;
  private busy: boolean;
  private hung = false;
  private packet: PacketState | undefined;
  private packetTimer: NodeJS.Timeout | undefined;
  private packetCount = 0;
  private transfer: { name: string; size: number; offset: number } | undefined;
  private currentBoot: BootRecord | undefined;
  private bootWaiters: { count: number; resolve: (record: BootRecord) => void }[] = [];
  private pending: "load" | "reboot" | "reset" | undefined;
  private consoleTaken = false;
  private imageTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly link: SerialLink,
    options: EmulatorOptions,
  ) {
    this.options = options;
    this.dropInput = options.dropInput;
    this.nakPacket = options.nakPacket;
    this.hangAfterInputBytes = options.hangAfterInputBytes;
    this.version = options.version ?? "2v25";
    this.board = options.board ?? "PUCKJS";
    const version = parseVersion(this.version);
    this.packetsSupported = version !== undefined && versionAtLeast(version, PACKET_FIRMWARE.major, PACKET_FIRMWARE.minor);
    this.storage = new EmulatedStorage(options.storageBytes ?? 40_000);
    for (const [name, data] of Object.entries(options.files ?? {})) {
      this.storage.write(name, typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data));
    }
    this.busy = options.busy ?? false;
    this.outPacer = new Pacer(options.baud, (bytes) => void this.link.write(bytes).catch(() => {}));
    this.inPacer = new Pacer(options.baud, (bytes) => {
      for (const b of bytes) this.receive(b);
    });
    this.resetInterpreter();
    link.listen((data) => this.inPacer.push(data));
  }

  /** Opens the port and powers the board on (banner, boot files). */
  static async open(options: EmulatorOptions): Promise<EspruinoEmulator> {
    const link = await SerialLink.open(options.port, options.baud ?? 9600);
    const emulator = new EspruinoEmulator(link, options);
    emulator.powerCycle();
    return emulator;
  }

  /** Whether running code has moved the console off the port (LoopbackA.setConsole). */
  get isConsoleTaken(): boolean {
    return this.consoleTaken;
  }

  /** Whether the board has stopped answering (hangAfterInputBytes reached). */
  get isHung(): boolean {
    return this.hung;
  }

  /** A file's contents as text (latin1), or undefined. */
  read(name: string): string | undefined {
    return this.storage.read(name)?.toString("latin1");
  }

  /** The running program prints on the console. */
  print(text: string) {
    this.send(text.replace(/\r?\n/g, "\r\n"));
  }

  /** Power off and on: RAM and the console start afresh, then the boot files run (unless skipped). */
  powerCycle(options: PowerCycleOptions = {}): BootRecord {
    this.releaseConsole();
    this.hung = false;
    this.hangAfterInputBytes = undefined;
    this.inPacer.clear();
    this.abortPacket();
    this.line = "";
    this.echoOffForLine = false;
    this.resetInterpreter();
    this.send(`\r\n _____                 _\r\n|   __|___ ___ ___ _ _|_|___ ___\r\n|   __|_ -| . |  _| | | |   | . |\r\n|_____|___|  _|_| |___|_|_|_|___|\r\n          |_| espruino.com\r\n ${this.version} (emulated ${this.board})\r\n\r\n`);
    return this.runBoot(options.skipBootCode);
  }

  /** Resolves once the board has booted `count` times in all (powering on is the first), with that boot. */
  booted(count: number): Promise<BootRecord> {
    const record = this.boots[count - 1];
    if (record) return Promise.resolve(record);
    return new Promise((resolve) => this.bootWaiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.releaseConsole();
    this.inPacer.clear();
    this.outPacer.clear();
    this.abortPacket();
    await this.link.close();
  }

  // --- bytes in

  private receive(byte: number) {
    const index = this.inputBytes++;
    if (this.hung) return;
    const hangAt = this.hangAfterInputBytes;
    if (hangAt !== undefined && index >= hangAt) {
      this.hung = true;
      this.abortPacket();
      return;
    }
    if (this.dropInput?.(index, byte)) return;
    if (this.consoleTaken) return; // the image's serial stack takes these bytes; no REPL hears them, Ctrl-C included
    if (this.packet) {
      this.packetByte(byte);
      return;
    }
    const afterDle = this.sawDle;
    this.sawDle = false;
    if (this.busy) {
      if (byte === CTRL_C) {
        this.busy = false;
        this.send("Execution Interrupted\r\n>");
      }
      return;
    }
    if (byte === SOH && afterDle && this.packetsSupported) {
      this.packet = { header: [], type: 0, length: 0, payload: [] };
      this.armPacketTimer();
      return;
    }
    const wasCR = this.lastWasCR;
    this.lastWasCR = false;
    if (byte === CTRL_C) {
      if (this.line) {
        this.line = "";
        this.echoOffForLine = false;
        this.send("\r\n>");
      }
    } else if (byte === DLE) {
      if (this.line === "") this.echoOffForLine = true;
      this.sawDle = true;
    } else if (byte === 0x08 || byte === 0x7f) {
      if (this.line) {
        this.line = this.line.slice(0, -1);
        if (!this.echoOffForLine) this.send("\x08 \x08");
      }
    } else if (byte === 0x0d) {
      this.lastWasCR = true;
      this.newLine();
    } else if (byte === 0x0a) {
      if (!wasCR) this.newLine();
    } else if (byte >= 0x20 || byte === 0x09) {
      const ch = String.fromCharCode(byte);
      this.line += ch;
      if (!this.echoOffForLine) this.send(ch);
    }
  }

  private newLine() {
    const echo = !this.echoOffForLine;
    if (openBrackets(this.line) > 0) {
      this.line += "\n";
      if (echo) this.send("\r\n:");
      return;
    }
    if (echo) this.send("\r\n");
    const code = this.line.trimEnd();
    this.line = "";
    this.echoOffForLine = false;
    if (code === "") {
      if (echo) this.send(">");
      return;
    }
    this.lines.push(code);
    const before = this.transcript.length;
    try {
      const value = this.interpreter.run(code, "repl");
      if (echo) this.send(`=${value instanceof Builtin ? format(value) : (JSON.stringify(value) ?? "undefined")}\r\n`);
    } catch (e) {
      if (!(e instanceof JsError)) throw e;
      this.send(`Uncaught ${e.kind}: ${e.message}\r\n`);
    }
    const action = this.pending;
    this.pending = undefined;
    if (action === "load") this.runBoot();
    else if (action === "reboot") this.powerCycle();
    else if (action === "reset") {
      this.resetInterpreter();
      this.send(`\r\nEspruino ${this.version} (emulated ${this.board})\r\n`);
    }
    if (echo || this.transcript.length > before) this.send(">");
  }

  // --- packets

  private armPacketTimer() {
    if (this.packetTimer) clearTimeout(this.packetTimer);
    this.packetTimer = setTimeout(() => {
      this.packetTimer = undefined;
      const p = this.packet;
      this.packet = undefined;
      this.answer(NAK, p ? packetTypeName(p.type) : undefined, p?.payload.length ?? 0, "timed out waiting for the rest of the packet");
    }, this.options.packetTimeoutMs ?? 1000);
  }

  private abortPacket() {
    if (this.packetTimer) clearTimeout(this.packetTimer);
    this.packetTimer = undefined;
    this.packet = undefined;
  }

  private packetByte(byte: number) {
    const p = this.packet!;
    if (p.header.length < 2) {
      p.header.push(byte);
      if (p.header.length === 2) {
        const h = (p.header[0]! << 8) | p.header[1]!;
        p.type = h & 0xe000;
        p.length = h & 0x1fff;
      }
    } else p.payload.push(byte);
    if (p.header.length === 2 && p.payload.length === p.length) {
      this.abortPacket();
      this.completePacket(p.type, Buffer.from(p.payload));
    } else this.armPacketTimer();
  }

  private answer(code: number, type: PacketTypeName | undefined, length: number, reason?: string) {
    this.packets.push({ type, length, answer: code === ACK ? "ACK" : "NAK", reason });
    this.send(String.fromCharCode(code));
  }

  private completePacket(type: number, payload: Buffer) {
    const name = packetTypeName(type);
    const index = this.packetCount++;
    if (this.nakPacket?.(index, name)) {
      this.answer(NAK, name, payload.length, "NAKed by the test");
      return;
    }
    switch (type) {
      case PacketType.FILE_SEND: {
        let request: { fn?: unknown; s?: unknown };
        try {
          request = JSON.parse(payload.toString("latin1")) as typeof request;
        } catch {
          this.answer(NAK, name, payload.length, "FILE_SEND is not JSON");
          return;
        }
        if (typeof request.fn !== "string" || typeof request.s !== "number" || request.s < 0) {
          this.answer(NAK, name, payload.length, "FILE_SEND needs {fn, s}");
          return;
        }
        let created = false;
        try {
          created = this.storage.create(request.fn, request.s);
        } catch {
          created = false;
        }
        if (!created) {
          this.transfer = undefined;
          this.answer(NAK, name, payload.length, "not enough Storage");
          return;
        }
        this.transfer = request.s > 0 ? { name: request.fn, size: request.s, offset: 0 } : undefined;
        this.answer(ACK, name, payload.length);
        return;
      }
      case PacketType.DATA: {
        const t = this.transfer;
        if (!t || t.offset + payload.length > t.size) {
          this.answer(NAK, name, payload.length, t ? "more data than the file's size" : "DATA without FILE_SEND");
          return;
        }
        this.storage.writeInto(t.name, payload, t.offset);
        t.offset += payload.length;
        if (t.offset === t.size) this.transfer = undefined;
        this.answer(ACK, name, payload.length);
        return;
      }
      case PacketType.EVENT:
        this.answer(ACK, name, payload.length);
        return;
      case PacketType.EVAL: {
        let result: string;
        try {
          result = JSON.stringify(this.interpreter.run(payload.toString("latin1"), "repl")) ?? "undefined";
        } catch (e) {
          if (!(e instanceof JsError)) throw e;
          result = JSON.stringify({ error: `${e.kind}: ${e.message}` });
        }
        this.packets.push({ type: name, length: payload.length, answer: "RESPONSE" });
        this.send(encodePacket(PacketType.RESPONSE, Buffer.from(result, "latin1")).toString("latin1"));
        return;
      }
      default:
        this.answer(NAK, name, payload.length, "packet type not emulated");
    }
  }

  // --- output, boot

  /** The image's serial stack takes the console: from now on the port carries its frames, not the REPL. */
  private takeConsole() {
    if (this.consoleTaken) return;
    this.consoleTaken = true;
    const frame = this.options.imageFrame ?? DEFAULT_IMAGE_FRAME;
    if (frame.length === 0) return;
    this.imageTimer = setInterval(() => this.send(Buffer.from(frame).toString("latin1")), this.options.imageFrameEveryMs ?? 200);
  }

  private releaseConsole() {
    this.consoleTaken = false;
    if (this.imageTimer) clearInterval(this.imageTimer);
    this.imageTimer = undefined;
  }

  private send(text: string) {
    if (this.hung) return;
    this.transcript += text;
    if (this.currentBoot) this.currentBoot.output += text;
    this.outPacer.push(Buffer.from(text, "latin1"));
  }

  private resetInterpreter() {
    this.globals = new Map();
    const storage = this.storage;
    this.interpreter = new Interpreter({
      version: this.version,
      board: this.board,
      globals: this.globals,
      storage: {
        read: (name) => storage.read(name)?.toString("latin1"),
        write: (name, data, offset, size) => storage.write(name, Buffer.from(data, "latin1"), offset, size),
        erase: (name) => storage.erase(name),
        getFree: () => storage.getFree(),
        list: () => [...storage.files.keys()],
      },
      print: (text) => this.send(text),
      evaluating: (code) => {
        if (!this.currentBoot) return;
        for (const [name, data] of storage.files) {
          if (data.toString("latin1") === code) {
            this.currentBoot.ran.push(name);
            break;
          }
        }
      },
      takeConsole: () => this.takeConsole(),
      load: () => void (this.pending = "load"),
      reset: () => void (this.pending = "reset"),
      reboot: () => void (this.pending = "reboot"),
    });
  }

  /** Runs the boot files as Espruino does at power-on and on load() (none when the button was held at reset). */
  private runBoot(skip = false): BootRecord {
    this.releaseConsole();
    this.resetInterpreter();
    this.busy = this.options.busy ?? false;
    const record: BootRecord = { ran: [], output: "" };
    this.boots.push(record);
    this.currentBoot = record;
    const files = skip ? [] : [".boot0", ".boot1", ".boot2", ".boot3", this.storage.read(".bootrst") ? ".bootrst" : ".bootcde"];
    try {
      for (const name of files) {
        const code = this.storage.read(name);
        if (!code) continue;
        record.ran.push(name);
        try {
          this.interpreter.run(code.toString("latin1"), "image");
        } catch (e) {
          if (!(e instanceof JsError)) throw e;
          this.send(`Uncaught ${e.kind}: ${e.message}\r\n`);
        }
      }
    } finally {
      this.currentBoot = undefined;
      this.pending = undefined;
    }
    for (const waiter of this.bootWaiters.filter((w) => w.count <= this.boots.length)) {
      this.bootWaiters.splice(this.bootWaiters.indexOf(waiter), 1);
      waiter.resolve(this.boots[waiter.count - 1]!);
    }
    return record;
  }
}

/** How many brackets (or a string) a line leaves open, as Espruino counts before running it. */
function openBrackets(line: string): number {
  let depth = 0;
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
  }
  return quote ? depth + 1 : depth;
}

// --- as a program

async function main(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      version: { type: "string", default: "2v25" },
      board: { type: "string", default: "PUCKJS" },
      storage: { type: "string", default: "40000" },
      baud: { type: "string" },
      "nak-every": { type: "string" },
      "drop-every": { type: "string" },
      "hang-after": { type: "string" },
    },
  });
  if (!values.port) {
    console.error(
      "usage: EspruinoEmulator.ts --port /dev/pts/N [--version 2v25] [--board PUCKJS] [--storage bytes] [--baud n] [--nak-every n] [--drop-every n] [--hang-after bytes]",
    );
    return 2;
  }
  const every = (v: string | undefined) => (v ? Number(v) : undefined);
  const nakEvery = every(values["nak-every"]);
  const dropEvery = every(values["drop-every"]);
  const emulator = await EspruinoEmulator.open({
    port: values.port,
    version: values.version,
    board: values.board,
    storageBytes: Number(values.storage),
    baud: every(values.baud),
    nakPacket: nakEvery ? (i) => i % nakEvery === nakEvery - 1 : undefined,
    dropInput: dropEvery ? (i) => i % dropEvery === dropEvery - 1 : undefined,
    hangAfterInputBytes: every(values["hang-after"]),
  });
  console.error(`emulated ${emulator.board} with Espruino ${emulator.version} on ${values.port}; Ctrl-C stops it`);
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
  console.error(`Storage: ${[...emulator.storage.files].map(([n, d]) => `${n} (${d.length})`).join(", ") || "empty"}`);
  await emulator.close();
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
