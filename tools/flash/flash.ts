/**
 * Puts an image on an Espruino board over its serial console, so that the
 * board runs it at every boot.
 *
 * 1. Attention: Ctrl-C, an empty line, the `>` prompt; then the firmware
 *    version and board name, then what Storage holds.
 * 2. Upload into the image slot the board does NOT boot from (`mote.a.js`
 *    and `mote.b.js` alternate): with the 2v25 packet protocol (FILE_SEND,
 *    then DATA packets, each ACKed or NAKed) or, on older firmware,
 *    `require("Storage").write(...)` lines typed into the REPL, each
 *    checking its own chunk's CRC on the board before writing it. NAKs,
 *    errors and timeouts are retried a bounded number of times.
 * 3. Verify: length and CRC-32 of the slot read back from the board.
 * 4. Only then switch: `.bootcde` becomes a one-line loader of the new slot
 *    (one small Storage write). Until that write the board boots what it
 *    booted before; after it, the new, verified image. A `.bootrst`, which
 *    Espruino runs in place of `.bootcde`, is erased right after (else the
 *    new image would never run); `.boot0`…`.boot3`, which run before either,
 *    are left alone and named in a warning.
 * 5. Restart with `load()` and pass the console on until the caller stops.
 */
import { StringDecoder } from "node:string_decoder";
import { FlashError } from "./errors.ts";
import {
  ACK,
  BOOT_FILE,
  bootLoader,
  byteStringLiteral,
  crc32,
  encodePacket,
  findReply,
  MAX_PACKET_PAYLOAD,
  MIN_FIRMWARE,
  NAK,
  NODE_FILE,
  nodeFileContents,
  PACKET_FIRMWARE,
  PacketType,
  type FirmwareVersion,
  parseVersion,
  replyLine,
  SLOT_FILES,
  type SlotFile,
  STORAGE_FILE_OVERHEAD,
  versionAtLeast,
  wireMs,
} from "./protocol.ts";
import { SerialLink } from "./SerialLink.ts";
import { decodeSerialStream } from "../serial/SerialCodec.ts";

export type TransferProtocol = "packet" | "repl";

export interface FlashProgress {
  readonly phase: "connect" | "upload" | "verify" | "switch" | "restart";
  /** Image bytes the board has acknowledged so far (upload), else 0. */
  readonly sent: number;
  readonly total: number;
  /** Packets or lines sent again so far (NAKs, errors, timeouts). */
  readonly retransmissions: number;
}

export interface FlashOptions {
  /** Serial port path, e.g. /dev/ttyACM0. */
  readonly port: string;
  /** Default 9600 (nRF52 boards); ESP32 and ESP8266 consoles run at 115200. */
  readonly baud?: number;
  /** The board the user meant (e.g. `puckjs`); a different board answering is reported through onLog. */
  readonly expectBoard?: string;
  /** Written to Storage as `.motenode` (JSON: the number) for the image to read at boot. */
  readonly nodeId?: number;
  /** `auto` (default): packets on 2v25 and later, REPL lines before. */
  readonly protocol?: "auto" | TransferProtocol;
  /** Image bytes per packet (default 1024) or per REPL line (default 512). */
  readonly chunkSize?: number;
  /** Times one packet or line is sent again before giving up (default 4). */
  readonly retries?: number;
  /** Whole uploads tried when one fails verification or keeps being refused (default 2). */
  readonly uploadAttempts?: number;
  /** Wait for an ACK or a reply, on top of the bytes' time on the wire (default 2000 ms). */
  readonly replyTimeoutMs?: number;
  /** Longest wait for the board to answer at all (default 3000 ms). */
  readonly attentionTimeoutMs?: number;
  /** Keep the port open after the restart and pass the console to onConsole until stop() (default true). */
  readonly console?: boolean;
  readonly onProgress?: (progress: FlashProgress) => void;
  readonly onLog?: (message: string) => void;
  /** The board's console output after the restart, as text. */
  readonly onConsole?: (text: string) => void;
}

export interface BoardInfo {
  readonly firmware: string;
  readonly board: string;
  /** Storage free before flashing, in bytes (`require("Storage").getFree()`). */
  readonly storageFree: number;
  /** The slot `.bootcde` loaded before this flash, if mote had flashed the board. */
  readonly bootedSlot: SlotFile | undefined;
  /** `.boot0`…`.boot3` found on the board, with their sizes: they run before the image at every boot and were left in place. */
  readonly earlyBootFiles: readonly { readonly name: string; readonly bytes: number }[];
}

export interface FlashResult extends BoardInfo {
  readonly port: string;
  readonly protocol: TransferProtocol;
  /** The Storage file now holding the image (and booted). */
  readonly file: SlotFile;
  readonly bytes: number;
  readonly crc: number;
  readonly retransmissions: number;
  /** Whole uploads it took (1 unless one failed verification). */
  readonly uploads: number;
  /** Boot files erased so the image runs (`.bootrst`, which Espruino runs in place of `.bootcde`). */
  readonly erased: readonly string[];
  /** From opening the port to sending the restart. */
  readonly elapsedMs: number;
  /** Stops passing the console on and closes the port. */
  stop(): Promise<void>;
  /** Settles when the port closes (stop(), or the board going away). */
  readonly closed: Promise<void>;
}

/** Flashes `image` (JavaScript text, or its bytes) to the Espruino board on `options.port`. */
export async function flashEspruino(image: string | Uint8Array, options: FlashOptions): Promise<FlashResult> {
  const bytes = typeof image === "string" ? Buffer.from(image, "utf8") : Buffer.from(image);
  if (bytes.length === 0) throw new FlashError("EMPTY_IMAGE", "the image is empty; nothing was flashed");
  if (options.nodeId !== undefined && !(Number.isInteger(options.nodeId) && options.nodeId >= 0 && options.nodeId <= 0xffff)) {
    throw new RangeError(`node id must be an integer 0..65535, got ${options.nodeId}`);
  }
  const started = performance.now();
  const link = await SerialLink.open(options.port, options.baud ?? 9600);
  try {
    const flasher = new Flasher(link, options);
    const result = await flasher.run(bytes);
    const elapsedMs = performance.now() - started;
    if (options.console === false) {
      await link.close();
      return { ...result, elapsedMs, stop: () => Promise.resolve(), closed: Promise.resolve() };
    }
    return { ...result, elapsedMs, ...flasher.streamConsole() };
  } catch (e) {
    await link.close();
    throw e;
  }
}

interface StorageFacts {
  readonly free: number;
  readonly bootedSlot: SlotFile | undefined;
  readonly slotBytes: Record<SlotFile, number>;
  /** Bytes of `.bootrst` (0: none). */
  readonly bootrstBytes: number;
  readonly earlyBootFiles: readonly { readonly name: string; readonly bytes: number }[];
}

/** Run at boot before `.bootcde` (Espruino's jsiLoadBootCode order). */
const EARLY_BOOT_FILES = [".boot0", ".boot1", ".boot2", ".boot3"] as const;
/** Run at boot in place of `.bootcde` when present (`E.setBootCode(code, true)` writes it). */
const BOOTRST_FILE = ".bootrst";

interface BoardFacts {
  readonly version: FirmwareVersion;
  readonly board: string;
  /** Undefined when the firmware has no Storage module. */
  readonly storage: StorageFacts | undefined;
}

type Reply = { kind: "reply"; value: unknown } | { kind: "error"; text: string } | { kind: "timeout" };

/** A failure inside one upload: `stalled` when the board stopped answering altogether. */
class AttemptFailure extends Error {
  constructor(
    readonly error: FlashError,
    readonly stalled: boolean,
  ) {
    super(error.message);
  }
}

const storageRead = (name: string) => `(require("Storage").read(${JSON.stringify(name)})||"")`;

class Flasher {
  private seq = 0;
  private retransmissions = 0;
  private readonly baud: number;
  private readonly retries: number;
  private readonly replyTimeoutMs: number;

  constructor(
    private readonly link: SerialLink,
    private readonly options: FlashOptions,
  ) {
    this.baud = options.baud ?? 9600;
    this.retries = options.retries ?? 4;
    this.replyTimeoutMs = options.replyTimeoutMs ?? 2000;
  }

  private progress(phase: FlashProgress["phase"], sent = 0, total = 0) {
    this.options.onProgress?.({ phase, sent, total, retransmissions: this.retransmissions });
  }

  private log(message: string) {
    this.options.onLog?.(message);
  }

  private timeoutFor(bytesOut: number, bytesBack: number) {
    return this.replyTimeoutMs + 2 * wireMs(bytesOut + bytesBack, this.baud);
  }

  async run(bytes: Buffer) {
    this.progress("connect");
    const info = await this.attention();
    const protocol = this.chooseProtocol(info.version);
    const storage = info.storage;
    if (!storage) {
      throw new FlashError("NOT_ESPRUINO", `the board on ${this.link.path} (Espruino ${info.version.text}) did not say what its Storage holds`);
    }
    const file: SlotFile = storage.bootedSlot === SLOT_FILES[1] ? SLOT_FILES[0] : SLOT_FILES[1];
    this.checkSpace(bytes.length, storage, file);
    for (const early of storage.earlyBootFiles) {
      this.log(
        `warning: the board also runs ${early.name} (${early.bytes} bytes) at every boot, before the image; mote leaves it ` +
          `(a module or app may have put it there). If it gets in the image's way, erase it: require("Storage").erase(${JSON.stringify(early.name)})`,
      );
    }

    const crc = crc32(bytes);
    const attempts = Math.max(1, this.options.uploadAttempts ?? 2);
    let uploads = 0;
    for (;;) {
      uploads++;
      try {
        if (protocol === "packet") await this.uploadPackets(file, bytes);
        else await this.uploadLines(file, bytes);
        this.progress("verify", bytes.length, bytes.length);
        await this.verify(file, bytes.length, crc);
        break;
      } catch (e) {
        if (e instanceof FlashError) throw new FlashError(e.code, `${e.message}; the boot code was not switched, so the board still boots its previous image`);
        if (!(e instanceof AttemptFailure)) throw e;
        if (e.stalled || uploads >= attempts) {
          throw new FlashError(e.error.code, `${e.error.message}; the boot code was not switched, so the board still boots its previous image`);
        }
        this.log(`upload ${uploads} of ${attempts} failed (${e.error.message}); uploading again`);
      }
    }

    this.progress("switch", bytes.length, bytes.length);
    if (this.options.nodeId !== undefined) {
      await this.writeSmallFile(NODE_FILE, nodeFileContents(this.options.nodeId), `writing node id ${this.options.nodeId}`, false);
    }
    await this.writeSmallFile(BOOT_FILE, bootLoader(file), `switching the boot code to ${file}`, true);
    const erased: string[] = [];
    if (storage.bootrstBytes > 0) {
      // Espruino runs .bootrst in place of .bootcde: left there, it would keep the new image from ever running.
      await this.eraseBootrst(storage.bootrstBytes);
      erased.push(BOOTRST_FILE);
    }

    this.progress("restart", bytes.length, bytes.length);
    this.link.consume();
    await this.link.write("\x10load()\n");
    return {
      port: this.link.path,
      firmware: info.version.text,
      board: info.board,
      storageFree: storage.free,
      bootedSlot: storage.bootedSlot,
      protocol,
      file,
      bytes: bytes.length,
      crc,
      retransmissions: this.retransmissions,
      uploads,
      erased,
      earlyBootFiles: storage.earlyBootFiles,
    };
  }

  /** From now on the console goes to onConsole, until stop(). */
  streamConsole(): { stop(): Promise<void>; closed: Promise<void> } {
    const decoder = new StringDecoder("utf8");
    const deliver = (data: Buffer) => {
      const text = decoder.write(data);
      if (text) this.options.onConsole?.(text);
    };
    // Whatever arrived since the restart was sent, then everything after it.
    const pending = this.link.received;
    this.link.consume();
    if (pending) deliver(Buffer.from(pending, "latin1"));
    const unlisten = this.link.listen(deliver);
    let stopped: Promise<void> | undefined;
    const stop = () => {
      stopped ??= (async () => {
        unlisten();
        await this.link.close();
      })();
      return stopped;
    };
    return { stop, closed: this.link.closed };
  }

  // --- talking to the REPL

  /** Types one line that prints a tagged reply; waits for the reply, an error, or the timeout. */
  private async request(expression: string, expectedReplyBytes = 64): Promise<Reply> {
    const id = ++this.seq;
    const line = replyLine(id, expression);
    this.link.consume();
    await this.link.write(line);
    const found = await this.link.waitFor<Reply>((text) => {
      const reply = findReply(text, id);
      if (reply) {
        try {
          return { kind: "reply", value: JSON.parse(reply.json) as unknown };
        } catch {
          return { kind: "error", text: `unreadable reply ${reply.json.slice(0, 60)}` };
        }
      }
      const uncaught = /Uncaught [^\r\n]*/.exec(text);
      if (uncaught && /[\r\n]/.test(text.slice(uncaught.index + uncaught[0].length))) return { kind: "error", text: uncaught[0] };
      return undefined;
    }, this.timeoutFor(line.length, expectedReplyBytes));
    return found ?? { kind: "timeout" };
  }

  /**
   * Asks until `accept` takes the reply (returns true), at most retries+1
   * times; before typing a line again after a timeout, Ctrl-C clears
   * whatever half-line the board may hold.
   */
  private async ask(
    expression: string,
    what: string,
    accept: (value: unknown) => true | string = () => true,
    expectedReplyBytes = 64,
  ): Promise<unknown> {
    let timeouts = 0;
    let last = "";
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) this.retransmissions++;
      const reply = await this.request(expression, expectedReplyBytes);
      if (reply.kind === "reply") {
        const verdict = accept(reply.value);
        if (verdict === true) return reply.value;
        last = verdict;
      } else if (reply.kind === "error") {
        last = `the board answered ${JSON.stringify(reply.text)}`;
      } else {
        timeouts++;
        last = "no answer";
        await this.link.write("\x03");
      }
    }
    const tries = this.retries + 1;
    if (timeouts === tries) {
      throw new AttemptFailure(
        new FlashError("TRANSFER_FAILED", `the board on ${this.link.path} stopped answering while ${what} (no reply after ${tries} tries)`),
        true,
      );
    }
    throw new AttemptFailure(new FlashError("TRANSFER_FAILED", `${what} failed after ${tries} tries: ${last}`), false);
  }

  /**
   * Ctrl-C and an empty line, then the `>` prompt, then one question: the
   * firmware, the board and what Storage holds. Firmware without Storage
   * answers that with an error, so then the firmware alone is asked for.
   */
  private async attention(): Promise<BoardFacts> {
    const budget = this.options.attentionTimeoutMs ?? 3000;
    const deadline = performance.now() + budget;
    const slice = Math.min(budget, Math.max(1000, budget / 3));
    const storage = 'require("Storage")';
    const bootFiles = [BOOTRST_FILE, ...EARLY_BOOT_FILES];
    const everything =
      `[process.env.VERSION,process.env.BOARD,${storage}.getFree(),E.CRC32(${storageRead(BOOT_FILE)}),` +
      `${storageRead(SLOT_FILES[0])}.length,${storageRead(SLOT_FILES[1])}.length,` +
      `${bootFiles.map((f) => `${storageRead(f)}.length`).join(",")}]`;
    let heard = "";
    while (performance.now() < deadline) {
      this.link.consume();
      await this.link.write("\x03\n");
      const prompt = await this.link.waitFor((text) => (text.includes(">") ? true : undefined), Math.min(slice, deadline - performance.now()));
      heard += this.link.received;
      if (!prompt) continue;
      let reply = await this.request(everything);
      heard += this.link.received;
      if (reply.kind === "error") {
        reply = await this.request("[process.env.VERSION,process.env.BOARD]");
        heard += this.link.received;
      }
      if (reply.kind !== "reply" || !Array.isArray(reply.value)) continue;
      const [versionText, board, free, bootCrc, bytesA, bytesB, ...bootBytes] = reply.value as unknown[];
      const version = typeof versionText === "string" ? parseVersion(versionText) : undefined;
      if (!version) break;
      const boardName = typeof board === "string" ? board : "unknown board";
      this.log(`${boardName} with Espruino ${version.text} on ${this.link.path}`);
      if (this.options.expectBoard && normalizeBoard(this.options.expectBoard) !== normalizeBoard(boardName)) {
        this.log(`warning: expected a ${this.options.expectBoard} but the board says it is a ${boardName}`);
      }
      const storageKnown =
        typeof free === "number" && typeof bytesA === "number" && typeof bytesB === "number" && bootBytes.length === bootFiles.length && bootBytes.every((b) => typeof b === "number");
      const bootedSlot = SLOT_FILES.find((slot) => crc32(Buffer.from(bootLoader(slot))) === bootCrc);
      const sizes = bootBytes as number[];
      return {
        version,
        board: boardName,
        storage: storageKnown
          ? {
              free,
              bootedSlot,
              slotBytes: { [SLOT_FILES[0]]: bytesA, [SLOT_FILES[1]]: bytesB } as Record<SlotFile, number>,
              bootrstBytes: sizes[0]!,
              earlyBootFiles: EARLY_BOOT_FILES.map((name, i) => ({ name, bytes: sizes[i + 1]! })).filter((f) => f.bytes > 0),
            }
          : undefined,
      };
    }
    const frames = serialFrames(heard);
    if (frames) {
      throw new FlashError(
        "CONSOLE_TAKEN",
        `the board on ${this.link.path} answers with TinyOS serial frames (${frames}), not Espruino's REPL: a mote image runs there ` +
          `and has taken the console for its serial stack, so Ctrl-C and the flasher's lines go to the image. ` +
          `Start the board without its boot code, then flash again: ${safeBootAdvice(this.options.expectBoard)}`,
      );
    }
    throw new FlashError(
      "NOT_ESPRUINO",
      `nothing answering like Espruino on ${this.link.path} within ${(budget / 1000).toFixed(1)} s ` +
        (heard ? `(it sent ${heard.length} bytes: ${JSON.stringify(heard.slice(0, 40))}${heard.length > 40 ? "…" : ""})` : "(it sent nothing)") +
        `: is an Espruino board connected there, running, and at ${this.baud} baud? ` +
        `(A board running a mote image that uses the serial port no longer answers there either; to start it without its boot code: ${safeBootAdvice(this.options.expectBoard)})`,
    );
  }

  private chooseProtocol(version: FirmwareVersion): TransferProtocol {
    if (!versionAtLeast(version, MIN_FIRMWARE.major, MIN_FIRMWARE.minor)) {
      throw new FlashError(
        "FIRMWARE_TOO_OLD",
        `the board runs Espruino ${version.text}; mote flash needs ${MIN_FIRMWARE.text} or later (update the firmware: https://www.espruino.com/Firmware+Update)`,
      );
    }
    const packets = versionAtLeast(version, PACKET_FIRMWARE.major, PACKET_FIRMWARE.minor);
    const wanted = this.options.protocol ?? "auto";
    if (wanted === "packet" && !packets) {
      throw new FlashError(
        "FIRMWARE_TOO_OLD",
        `the packet protocol needs Espruino ${PACKET_FIRMWARE.text} or later; the board runs ${version.text} (leave out the protocol choice to type REPL lines instead)`,
      );
    }
    return wanted === "auto" ? (packets ? "packet" : "repl") : wanted;
  }

  private checkSpace(imageBytes: number, storage: { free: number; slotBytes: Record<SlotFile, number> }, file: SlotFile) {
    const replaced = storage.slotBytes[file] > 0 ? storage.slotBytes[file] + STORAGE_FILE_OVERHEAD : 0;
    const available = storage.free + replaced;
    const small = (this.options.nodeId !== undefined ? 2 : 1) * (STORAGE_FILE_OVERHEAD + 64);
    const needed = imageBytes + STORAGE_FILE_OVERHEAD + small;
    if (needed > available) {
      throw new FlashError(
        "IMAGE_TOO_BIG",
        `the image (${imageBytes} bytes) does not fit on the board: it has ${storage.free} bytes of Storage free` +
          (replaced ? ` plus ${replaced} in the old ${file} it would replace` : "") +
          ` and needs ${needed} with file headers and the boot loader. Nothing was written. ` +
          `Make the image smaller, or free Storage: require("Storage").list() shows the files and require("Storage").erase(name) removes one`,
      );
    }
  }

  // --- the upload

  private async sendPacket(type: number, payload: Uint8Array, what: string): Promise<void> {
    const frame = encodePacket(type, payload);
    let timeouts = 0;
    let naks = 0;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) this.retransmissions++;
      this.link.consume();
      await this.link.write(frame);
      const answer = await this.link.waitFor((text) => {
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c === ACK || c === NAK) return c;
        }
        return undefined;
      }, this.timeoutFor(frame.length, 1));
      if (answer === ACK) return;
      if (answer === NAK) naks++;
      else {
        // No answer at all: the packet's start may have been lost, so the board took the rest as
        // console input. By now it has given up on any packet; Ctrl-C clears that half-line.
        timeouts++;
        await this.link.write("\x03");
      }
    }
    const tries = this.retries + 1;
    const error = new FlashError(
      "TRANSFER_FAILED",
      timeouts === tries
        ? `the board on ${this.link.path} stopped answering while sending ${what} (no ACK after ${tries} tries)`
        : `the board refused ${what}: ${naks} NAK${naks === 1 ? "" : "s"} and ${timeouts} timeout${timeouts === 1 ? "" : "s"} in ${tries} tries`,
    );
    throw new AttemptFailure(error, timeouts === tries);
  }

  private async uploadPackets(file: SlotFile, bytes: Buffer) {
    const chunk = Math.min(this.options.chunkSize ?? 1024, MAX_PACKET_PAYLOAD);
    this.progress("upload", 0, bytes.length);
    await this.sendPacket(PacketType.FILE_SEND, Buffer.from(JSON.stringify({ fn: file, s: bytes.length })), `the start of ${file}`);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const end = Math.min(offset + chunk, bytes.length);
      await this.sendPacket(PacketType.DATA, bytes.subarray(offset, end), `${file} bytes ${offset}..${end - 1}`);
      this.progress("upload", end, bytes.length);
    }
  }

  private async uploadLines(file: SlotFile, bytes: Buffer) {
    const chunk = this.options.chunkSize ?? 512;
    this.progress("upload", 0, bytes.length);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const end = Math.min(offset + chunk, bytes.length);
      const part = bytes.subarray(offset, end);
      // The board checks the chunk arrived intact before writing it; the first line creates the file at its full size.
      const size = offset === 0 ? `,${bytes.length}` : "";
      const expression =
        `E.CRC32(_moteChunk=${byteStringLiteral(part)})==${crc32(part)}` +
        `?require("Storage").write(${JSON.stringify(file)},_moteChunk,${offset}${size}):"crc"`;
      await this.ask(expression, `writing ${file} bytes ${offset}..${end - 1}`, (v) =>
        v === true ? true : v === "crc" ? "the chunk arrived damaged" : `Storage.write answered ${JSON.stringify(v)}`,
      );
      this.progress("upload", end, bytes.length);
    }
  }

  private async verify(file: SlotFile, length: number, crc: number) {
    const value = await this.ask(`[${storageRead(file)}.length,E.CRC32(${storageRead(file)})]`, `reading back ${file}`, (v) =>
      Array.isArray(v) && v.length === 2 ? true : `unexpected answer ${JSON.stringify(v)}`,
    );
    const [boardLength, boardCrc] = value as [number, number];
    if (boardLength !== length || boardCrc >>> 0 !== crc) {
      throw new AttemptFailure(
        new FlashError(
          "VERIFY_FAILED",
          `verification failed: ${file} on the board holds ${boardLength} bytes with CRC ${hex(boardCrc >>> 0)}, ` +
            `expected ${length} bytes with CRC ${hex(crc)}`,
        ),
        false,
      );
    }
  }

  /** Erases `.bootrst` once `.bootcde` runs the new image, and checks it is gone. */
  private async eraseBootrst(bytes: number) {
    const what = `erasing ${BOOTRST_FILE}`;
    try {
      await this.ask(`(require("Storage").erase(${JSON.stringify(BOOTRST_FILE)}),${storageRead(BOOTRST_FILE)}.length)`, what, (v) =>
        v === 0 ? true : `${BOOTRST_FILE} still holds ${JSON.stringify(v)} bytes`,
      );
    } catch (e) {
      if (!(e instanceof AttemptFailure)) throw e;
      throw new FlashError(
        e.error.code,
        `${e.error.message}; .bootcde now runs the new image, but Espruino runs ${BOOTRST_FILE} in its place, so the board still starts ` +
          `the old code there: erase it by hand, require("Storage").erase(${JSON.stringify(BOOTRST_FILE)}), or flash again`,
      );
    }
    this.log(
      `erased ${BOOTRST_FILE} (${bytes} bytes): Espruino runs it at boot in place of .bootcde, so the new image would never have run ` +
        `(E.setBootCode(code, true) or the IDE's "run even after reset" saving writes it)`,
    );
  }

  /** Writes a small file whole (one Storage write) and checks it reads back the same. */
  private async writeSmallFile(name: string, contents: string, what: string, isSwitch: boolean) {
    const write = `require("Storage").write(${JSON.stringify(name)},${JSON.stringify(contents)})`;
    try {
      await this.ask(`${write}&&E.CRC32(${storageRead(name)})==${crc32(Buffer.from(contents, "latin1"))}`, what, (v) =>
        v === true ? true : `the board answered ${JSON.stringify(v)}`,
      );
    } catch (e) {
      if (!(e instanceof AttemptFailure)) throw e;
      const after = isSwitch
        ? "; it boots either its previous image or the new one (both are complete)"
        : "; the boot code was not switched, so the board still boots its previous image";
      throw new FlashError(e.error.code, e.error.message + after);
    }
  }
}

/**
 * What the board sent, if it holds whole TinyOS serial frames with good
 * CRCs (a mote image's serial stack on the console), e.g. "3 frames: AM
 * type 0x93 from node 7"; undefined otherwise. Random bytes at a wrong baud
 * rate almost never make a frame whose CRC-16 checks.
 */
function serialFrames(heard: string): string | undefined {
  const { packets, acks, stats } = decodeSerialStream(Buffer.from(heard, "latin1"));
  if (stats.frames === 0) return undefined;
  const kinds = [...new Set(packets.map((p) => `AM type 0x${p.type.toString(16).padStart(2, "0")} from node ${p.src}`))];
  const what = kinds.length ? `: ${kinds.slice(0, 3).join(", ")}` : acks.length ? ": serial ACKs" : "";
  return `${stats.frames} frame${stats.frames === 1 ? "" : "s"}${what}`;
}

/**
 * How to start a board without running its boot code. Espruino skips the
 * boot code when BTN1 is held as it starts (jsiLoadBootCode); the firmware
 * for ESP32 and ESP8266 names no BTN1, so there the Storage must be erased.
 */
export function safeBootAdvice(board: string | undefined): string {
  const b = normalizeBoard(board ?? "");
  if (b.startsWith("puckjs")) {
    return "on a Puck.js, take the battery out and put it back while holding the button, and let go as the LEDs light (holding it for seconds starts the self-test or the bootloader instead)";
  }
  if (b.startsWith("esp32") || b.startsWith("esp8266")) {
    return (
      "Espruino's ESP32 and ESP8266 firmware has no button that skips the boot code, so erase the flash and reinstall the Espruino firmware " +
      "with esptool (esptool.py erase_flash, then write the firmware as espruino.com/ESP32 describes), which also clears Storage"
    );
  }
  return (
    "reset the board (or plug it in) with its button BTN1 held and let go straight away: Espruino then starts without running its boot code " +
    "(on a Puck.js: hold the button while putting the battery back)"
  );
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function normalizeBoard(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}
