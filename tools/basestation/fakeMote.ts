/**
 * STAND-IN, NOT A MOTE: a small fake network of Oscilloscope motes that
 * writes the serial frames a TinyOS base-station mote would write, for the
 * demo, the tests and the benchmarks until the simulator (`mote sim
 * --serial <mote>=pty`) runs MultihopOscilloscope for real. It runs no mote
 * image: it makes up the readings, sends each mote's OscilloscopeMsg (or
 * MultihopOscilloscope's 5-reading variant) every 10 (5) samples as 0x45
 * frames, sends CTP routing beacons (AM 0x70) for a made-up collection
 * tree, ACKs the PC's 0x44 packets as SerialP does, and adopts a newer
 * Oscilloscope version's interval for every mote (what dissemination would
 * do in the real network).
 *
 * As a process (the demo): `node --import ./tools/register.js
 * tools/basestation/fakeMote.ts --port <pty> [--motes 25] [--interval 256]
 * [--variant oscilloscope|multihop]`.
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { SerialPort } from "serialport";
import { type AmPacket, decodeMessage, encodeAck, encodeAmFrame, encodeMessage, SerialReader } from "../serial/index.ts";
import { CtpRoutingMsg, MultihopOscilloscopeMsg, OscilloscopeMsg } from "./messages.ts";

export interface FakeNetworkOptions {
  /** Number of motes (ids firstId ..). Default 25. */
  readonly motes?: number;
  readonly firstId?: number;
  /** Sampling interval in ms (a packet every 10 samples, 5 for multihop). Default 256. */
  readonly intervalMs?: number;
  readonly variant?: "oscilloscope" | "multihop";
  /** Send CTP routing beacons for a made-up tree. Default true. */
  readonly routing?: boolean;
  readonly seed?: number;
  /** Leave the first n ACKs unsent (to exercise the PC's retries). */
  readonly dropAcks?: number;
}

export interface ReceivedCommand {
  readonly packet: AmPacket;
  readonly acked: boolean;
  /** Decoded when it is an Oscilloscope message. */
  readonly oscilloscope?: { version: number; interval: number };
}

interface FakeMote {
  id: number;
  count: number;
  parent: number;
  etx: number;
  nextAt: number;
  phase: number;
}

export class FakeOscilloscopeNetwork {
  readonly motes: FakeMote[] = [];
  version = 0;
  intervalMs: number;
  readonly commands: ReceivedCommand[] = [];
  onCommand: ((c: ReceivedCommand) => void) | undefined;
  private readonly reader: SerialReader;
  private timer: NodeJS.Timeout | undefined;
  private seed: number;
  private dropAcks: number;
  private beaconAt = 0;
  readonly variant: "oscilloscope" | "multihop";
  sent = 0;

  constructor(
    private readonly write: (bytes: Uint8Array) => void,
    private readonly options: FakeNetworkOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 256;
    this.variant = options.variant ?? "oscilloscope";
    this.seed = options.seed ?? 1;
    this.dropAcks = options.dropAcks ?? 0;
    const n = options.motes ?? 25;
    const first = options.firstId ?? 1;
    const now = Date.now();
    for (let k = 0; k < n; k++) {
      const id = first + k;
      // A tree: the first mote is the root; each other picks a parent among those before it.
      const parent = k === 0 ? id : first + Math.floor(this.random() * k * 0.6 + k * 0.4 - 0.0001);
      this.motes.push({ id, count: 0, parent, etx: 0, nextAt: now + this.random() * this.period(), phase: this.random() * 6.28 });
    }
    for (const m of this.motes) m.etx = m.parent === m.id ? 0 : this.motes.find((p) => p.id === m.parent)!.etx + 10 + Math.floor(this.random() * 20);
    this.reader = new SerialReader({ onPacket: (p) => this.fromPc(p) });
  }

  private random(): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    return (this.seed >>> 8) / 0x1000000;
  }

  private get readingsPerPacket(): number {
    return this.variant === "multihop" ? 5 : 10;
  }

  private period(): number {
    return this.intervalMs * this.readingsPerPacket;
  }

  /** The frame mote `m` sends next (and counts it). */
  frameOf(m: FakeMote, t: number): Uint8Array {
    const n = this.readingsPerPacket;
    const readings: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = (t - (n - 1 - i) * this.intervalMs) / 1000;
      const v = 2048 + 900 * Math.sin(at * 0.5 + m.phase) + 120 * (this.random() - 0.5);
      readings.push(Math.max(0, Math.min(4095, Math.round(v))));
    }
    const def = this.variant === "multihop" ? MultihopOscilloscopeMsg : OscilloscopeMsg;
    const value = { version: this.version, interval: this.intervalMs, id: m.id, count: m.count & 0xffff, readings };
    m.count++;
    return encodeAmFrame({ dest: 0xffff, src: m.id, type: def.amType, payload: encodeMessage(def, value) });
  }

  beaconOf(m: FakeMote): Uint8Array {
    return encodeAmFrame({ dest: 0xffff, src: m.id, type: CtpRoutingMsg.amType, payload: encodeMessage(CtpRoutingMsg, { options: 0, parent: m.parent, etx: m.etx }) });
  }

  /** Sends what is due now; called every 20 ms once started. */
  tick(now = Date.now()): void {
    const chunks: Uint8Array[] = [];
    if ((this.options.routing ?? true) && now >= this.beaconAt) {
      this.beaconAt = now + 10_000;
      for (const m of this.motes) chunks.push(this.beaconOf(m));
    }
    for (const m of this.motes) {
      if (now < m.nextAt) continue;
      m.nextAt += this.period();
      if (m.nextAt < now) m.nextAt = now + this.period();
      chunks.push(this.frameOf(m, now));
    }
    if (chunks.length) {
      this.sent += chunks.length;
      this.write(Buffer.concat(chunks));
    }
  }

  start(): void {
    if (!this.timer) this.timer = setInterval(() => this.tick(), 20);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Bytes from the PC (the base station's commands). */
  receive(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  private fromPc(p: AmPacket): void {
    let acked = false;
    if (p.protocol === 0x44) {
      if (this.dropAcks > 0) this.dropAcks--;
      else {
        this.write(encodeAck(p.seq));
        acked = true;
      }
    }
    let oscilloscope: ReceivedCommand["oscilloscope"];
    if (p.type === OscilloscopeMsg.amType && p.payload.length >= MultihopOscilloscopeMsg.size) {
      const v = decodeMessage(MultihopOscilloscopeMsg, p.payload);
      oscilloscope = { version: v.version, interval: v.interval };
      // A newer version is adopted (counted modulo 2^16 as TinyOS compares them).
      if (((v.version - this.version) & 0xffff) > 0 && ((v.version - this.version) & 0xffff) < 0x8000 && v.interval > 0) {
        this.version = v.version;
        this.intervalMs = v.interval;
        const now = Date.now();
        for (const m of this.motes) m.nextAt = Math.min(m.nextAt, now + this.period());
      }
    }
    const c: ReceivedCommand = { packet: p, acked, ...(oscilloscope ? { oscilloscope } : {}) };
    this.commands.push(c);
    this.onCommand?.(c);
  }
}

/** Runs the stand-in network on a serial port (a pty end) until killed. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      motes: { type: "string", default: "25" },
      interval: { type: "string", default: "256" },
      variant: { type: "string", default: "oscilloscope" },
    },
  });
  if (!values.port) throw new Error("fakeMote: --port is required");
  const variant = values.variant === "multihop" ? "multihop" : "oscilloscope";
  const port = new SerialPort({ path: values.port, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const net = new FakeOscilloscopeNetwork((bytes) => port.write(Buffer.from(bytes)), {
    motes: Number(values.motes),
    intervalMs: Number(values.interval),
    variant,
  });
  port.on("data", (chunk: Buffer) => net.receive(chunk));
  port.on("close", () => process.exit(0));
  net.onCommand = (c) =>
    console.log(
      `stand-in motes: got ${c.oscilloscope ? `interval ${c.oscilloscope.interval} ms (version ${c.oscilloscope.version})` : `AM type ${c.packet.type}`}${c.acked ? ", ACKed" : ""}`,
    );
  console.log(`stand-in motes: ${net.motes.length} fake ${variant} motes writing to ${values.port} (not a simulation; see tools/basestation/fakeMote.ts)`);
  net.start();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
