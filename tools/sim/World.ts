/**
 * The simulated world: motes (each its own instance of an image, with its
 * own node id and state; different motes may run different images) on one
 * virtual clock, a lossy radio channel between them, sensors, serial ports,
 * an energy account, and a trace. Events are ordered by time, then by
 * insertion, and every random choice comes from one seeded generator, so
 * the same seed gives the same run, byte for byte.
 *
 * ```ts
 * const world = new World({ seed: 7 });
 * const image = loadImageText((await build({ entry, platform: "sim", write: false })).image);
 * world.addMotes(100, image, { bootSpreadMs: 1000 });
 * world.placeMotes("grid:10x10");
 * world.runUntil(60_000);
 * console.table(world.summary());
 * ```
 */
import { CalendarQueue } from "./CalendarQueue.ts";
import type { EventQueue, EventTarget } from "./EventQueue.ts";
import { energyReport, MICA_ENERGY, type EnergyReport, type EnergyTable } from "./Energy.ts";
import type { ImageFactory } from "./image.ts";
import { BROADCAST, DEFAULT_RADIO, MoteRadio, RadioMedium, type RadioOptions } from "./Radio.ts";
import { Random } from "./Random.ts";
import type { SensorFunction } from "./Sensors.ts";
import { DEFAULT_UART_BYTE_US, SimMote, type MoteEnvironment } from "./SimMote.ts";
import {
  DEFAULT_PATH_LOSS,
  layoutPositions,
  parseLayout,
  pathLossGains,
  type LayoutSpec,
  type PathLossModel,
  type Position,
  type TopologyFile,
  TopologyError,
} from "./Topology.ts";
import { Tracer, type TraceSink } from "./Trace.ts";

export interface WorldOptions {
  /** Seed for every random choice (default 1). */
  readonly seed?: number;
  /** Channel and MAC parameters (Radio.ts's DEFAULT_RADIO for the rest). */
  readonly radio?: Partial<RadioOptions>;
  /** The current table (the MICA figures for the rest). */
  readonly energy?: Partial<EnergyTable>;
  /** Where trace lines go (JSON lines, Trace.ts); no trace when absent. */
  readonly trace?: TraceSink;
  /** Keep each mote's debug lines (default true). */
  readonly keepDebug?: boolean;
  /** Keep each mote's LED trace (default false: `leds` and the counters are always kept). */
  readonly keepLedTrace?: boolean;
  /** Keep what each mote writes on its UART (default true). */
  readonly keepSerial?: boolean;
  /** UART speed (default 115200; 10 bits a byte). */
  readonly uartBaud?: number;
}

export interface AddMoteOptions {
  /** Node id (TOS_NODE_ID), 0..65534, unique in the world. */
  readonly id: number;
  readonly image: ImageFactory;
  /** Where the mote is, metres. */
  readonly position?: Position;
  /** Boot at this virtual time; without it the mote stays off until `turnOn`/`bootAt`. */
  readonly bootAtMs?: number;
  /** The mote's millisecond counter at time 0. */
  readonly clockOffsetMs?: number;
}

export interface AddMotesOptions {
  /** Id of the first mote; the others follow (default 0). */
  readonly firstId?: number;
  /** Boot every mote at time 0 (the default), or each at a random time in [0, bootSpreadMs). */
  readonly bootSpreadMs?: number;
}

/** A packet handed straight to a mote's radio, as if received. */
export interface InjectedPacket {
  readonly src: number;
  /** AM destination (default: the mote's own id). */
  readonly dest?: number;
  readonly type: number;
  /** Default 0x22. */
  readonly group?: number;
  readonly payload: ArrayLike<number>;
  /** Signal strength reported with it, dBm (default -50). */
  readonly rssi?: number;
}

/** What `applyTopology` left out: lines naming motes the world does not have. */
export interface SkippedTopology {
  /** Their line numbers in the file, ascending. */
  readonly lines: readonly number[];
  /** The missing mote ids they name, ascending. */
  readonly motes: readonly number[];
}

/** One row of the summary table. */
export interface MoteSummary {
  readonly id: number;
  readonly on: boolean;
  readonly boots: number;
  readonly sent: number;
  readonly transmissions: number;
  readonly retries: number;
  readonly acked: number;
  readonly noAck: number;
  readonly sendFailed: number;
  readonly received: number;
  readonly lost: number;
  readonly collided: number;
  readonly duplicates: number;
  readonly ccaBusy: number;
  readonly ledToggles: number;
  readonly serialBytesOut: number;
  readonly serialBytesIn: number;
  readonly wakeups: number;
  readonly averageMa: number;
  readonly totalMah: number;
  readonly lifetimeDays: number;
}

/** What `runRealtime` paces virtual time to: the wall clock unless a test gives its own. */
export interface RealtimeClock {
  /** Milliseconds, from any origin. */
  now(): number;
  /** Resolves after about `ms` milliseconds of this clock. */
  sleep(ms: number): Promise<void>;
}

export const WALL_CLOCK: RealtimeClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RealtimeOptions {
  /** Stop at this virtual time (default: run until `stop()`). */
  readonly untilMs?: number;
  /** Virtual seconds per clock second (default 1). */
  readonly speed?: number;
  /** Called after each slice of events (a progress bar draws here). */
  readonly onSlice?: () => void;
  /** The clock to pace to (default the wall clock). */
  readonly clock?: RealtimeClock;
}

export type DebugListener = (mote: SimMote, channel: string, message: string) => void;

const US_PER_MS = 1000;

class Action implements EventTarget {
  constructor(private readonly run: () => void) {}
  fire(): void {
    this.run();
  }
}

export class World implements MoteEnvironment {
  readonly queue: EventQueue = new CalendarQueue();
  readonly rng: Random;
  readonly seed: number;
  readonly medium: RadioMedium;
  readonly energyTable: EnergyTable;
  readonly tracer: Tracer | undefined;
  readonly uartByteUs: number;
  private readonly list: SimMote[] = [];
  private readonly byId = new Map<number, SimMote>();
  private readonly sensors = new Map<number, SensorFunction>();
  private readonly debugListeners = new Map<string, DebugListener[]>();
  private readonly options: WorldOptions;
  private stopRequested = false;

  constructor(options: WorldOptions = {}) {
    this.options = options;
    this.seed = options.seed ?? 1;
    this.rng = new Random(this.seed);
    this.medium = new RadioMedium(this.queue, this.rng, { ...DEFAULT_RADIO, ...options.radio });
    this.energyTable = { ...MICA_ENERGY, ...options.energy };
    this.tracer = options.trace ? new Tracer(options.trace) : undefined;
    this.medium.tracer = this.tracer;
    this.uartByteUs = options.uartBaud ? 1e7 / options.uartBaud : DEFAULT_UART_BYTE_US;
  }

  // --- motes

  get motes(): readonly SimMote[] {
    return this.list;
  }

  addMote(options: AddMoteOptions): SimMote {
    const id = options.id;
    if (!Number.isInteger(id) || id < 0 || id >= BROADCAST) throw new RangeError(`mote id must be 0..65534, got ${id}`);
    if (this.byId.has(id)) throw new Error(`there is already a mote ${id}`);
    const mote = new SimMote(this.queue, options.image, {
      nodeId: id,
      clockOffsetMs: options.clockOffsetMs,
      traceLeds: this.options.keepLedTrace ?? false,
      keepDebug: this.options.keepDebug ?? true,
      keepSerial: this.options.keepSerial ?? true,
      position: options.position,
    });
    mote.index = this.list.length;
    mote.env = this;
    mote.trackLedTime = this.energyTable.ledMa > 0;
    mote.radio = this.medium.addRadio(mote);
    this.list.push(mote);
    this.byId.set(id, mote);
    if (options.bootAtMs !== undefined) mote.bootAt(options.bootAtMs);
    return mote;
  }

  /** `count` motes running `image`, ids from `firstId`, booted at 0 or spread over the first `bootSpreadMs`. */
  addMotes(count: number, image: ImageFactory, options: AddMotesOptions = {}): SimMote[] {
    const first = options.firstId ?? 0;
    const spread = options.bootSpreadMs ?? 0;
    const out: SimMote[] = [];
    for (let i = 0; i < count; i++) {
      const bootAtMs = spread > 0 ? Math.floor(this.rng.next() * spread * US_PER_MS) / US_PER_MS : 0;
      out.push(this.addMote({ id: first + i, image, bootAtMs }));
    }
    return out;
  }

  mote(id: number): SimMote {
    const m = this.byId.get(id);
    if (!m) throw new Error(`no mote ${id} in this world`);
    return m;
  }

  hasMote(id: number): boolean {
    return this.byId.has(id);
  }

  // --- the radio channel

  /** Sets the signal `dst` receives from `src`, dBm (TOSSIM's `gain src dst g`); undefined removes the link. */
  setGain(src: number, dst: number, dbm: number | undefined): void {
    this.medium.setGain(this.mote(src).index, this.mote(dst).index, dbm);
    this.tracer?.gain(this.queue.now, src, dst, dbm ?? null);
  }

  /** The same gain both ways. */
  setLink(a: number, b: number, dbm: number | undefined): void {
    this.setGain(a, b, dbm);
    this.setGain(b, a, dbm);
  }

  gain(src: number, dst: number): number | undefined {
    return this.medium.gain(this.mote(src).index, this.mote(dst).index);
  }

  /** A mote's noise floor: mean dBm and per-frame standard deviation dB (TOSSIM's `noise n avg std`). */
  setNoise(id: number, meanDbm: number, stdDb: number): void {
    this.medium.setNoise(this.mote(id).index, meanDbm, stdDb);
  }

  /**
   * Applies a topology file's gains and noise. Lines naming a mote this
   * world does not have are left out and returned (an empty list when every
   * line applied), so the caller can say so: `mote sim` warns.
   */
  applyTopology(topology: TopologyFile): SkippedTopology {
    const lines: number[] = [];
    const motes = new Set<number>();
    const missing = (id: number) => {
      if (this.byId.has(id)) return false;
      motes.add(id);
      return true;
    };
    for (const g of topology.gains) {
      // Both ids are checked (no short cut) so every missing mote is named.
      const srcMissing = missing(g.src);
      if (missing(g.dst) || srcMissing) lines.push(g.line);
      else this.setGain(g.src, g.dst, g.dbm);
    }
    for (const n of topology.noise) {
      if (missing(n.node)) lines.push(n.line);
      else this.setNoise(n.node, n.meanDbm, n.stdDb);
    }
    return { lines: lines.sort((a, b) => a - b), motes: [...motes].sort((a, b) => a - b) };
  }

  /**
   * Places the motes (in the order they were added) by a layout — `grid:WxH[,spacing=m]`,
   * `random:N[,area=WxH]`, or explicit positions — and sets every link's
   * gain by log-distance path loss with log-normal shadowing.
   */
  placeMotes(layout: string | LayoutSpec | readonly Position[], model: Partial<PathLossModel> = {}): void {
    let positions: readonly Position[];
    if (Array.isArray(layout)) positions = layout as readonly Position[];
    else {
      const spec = typeof layout === "string" ? parseLayout(layout) : (layout as LayoutSpec);
      if (!spec) throw new TopologyError(`${String(layout)}: expected grid:WxH or random:N`);
      if (spec.count < this.list.length) {
        throw new TopologyError(`${typeof layout === "string" ? layout : spec.kind} has ${spec.count} places for ${this.list.length} motes`);
      }
      positions = layoutPositions(spec, () => this.rng.next());
    }
    const n = Math.min(positions.length, this.list.length);
    for (let i = 0; i < n; i++) this.list[i]!.position = positions[i]!;
    const full = { ...DEFAULT_PATH_LOSS, ...model };
    const threshold = this.medium.options.noiseMeanDbm + this.medium.options.linkMarginDb;
    pathLossGains(positions.slice(0, n), full, this.seed, threshold, (i, j, dbm) => this.medium.setGain(i, j, dbm));
  }

  // --- lives

  /** Boots (or reboots) mote `id` at virtual time `ms`. */
  bootAt(id: number, ms: number): void {
    this.mote(id).bootAt(ms);
  }

  /** Turns mote `id` on now: it boots from scratch. No effect if it is on. */
  turnOn(id: number): void {
    const m = this.mote(id);
    if (!m.booted) m.boot();
  }

  /** Cuts mote `id`'s power now: its state is lost. */
  turnOff(id: number): void {
    this.mote(id).powerOff();
  }

  turnOnAt(id: number, ms: number): void {
    this.mote(id);
    this.at(ms, () => this.turnOn(id));
  }

  turnOffAt(id: number, ms: number): void {
    this.mote(id).powerOffAt(ms);
  }

  /** Runs `action` at virtual time `ms` (a script step: change gains, turn motes off, inject...). */
  at(ms: number, action: () => void): void {
    this.queue.schedule(ms * US_PER_MS, new Action(action));
  }

  // --- sensors, serial, packets

  /** Readings of sensor `channel` (0 light, 1 temperature, ...) on every mote; see Sensors.ts for CSV traces. */
  setSensor(channel: number, source: SensorFunction): void {
    this.sensors.set(channel, source);
  }

  /** Bytes arriving on mote `id`'s UART, from now, at the baud rate. */
  serialWrite(id: number, bytes: ArrayLike<number>): void {
    this.mote(id).serialInput(Array.from(bytes));
  }

  /** Everything mote `id` has written on its UART. */
  serialOutput(id: number): Uint8Array {
    return this.mote(id).serialOutput;
  }

  /** Calls `listener` with each chunk mote `id` writes on its UART. */
  onSerial(id: number, listener: (bytes: Uint8Array) => void): void {
    this.mote(id).serialListeners.push(listener);
  }

  /** Hands a frame to mote `id`'s radio at virtual time `atMs` (default now), as if received. */
  inject(id: number, packet: InjectedPacket, atMs?: number): void {
    const mote = this.mote(id);
    const len = packet.payload.length;
    const frame = new Uint8Array(7 + len);
    const dest = packet.dest ?? id;
    frame[0] = dest >> 8;
    frame[1] = dest & 255;
    frame[2] = packet.src >> 8;
    frame[3] = packet.src & 255;
    frame[4] = len;
    frame[5] = packet.group ?? 0x22;
    frame[6] = packet.type;
    for (let i = 0; i < len; i++) frame[7 + i] = packet.payload[i]!;
    const rssi = packet.rssi ?? -50;
    const deliver = () => {
      const radio = mote.radio!;
      if (!mote.booted || !radio.on || radio.receiveHandler === undefined) return;
      mote.counters.received++;
      this.tracer?.rx(this.queue.now, packet.src, id, dest, packet.type, len, "delivered", rssi, NaN);
      radio.receiveHandler(frame, frame.length, rssi);
    };
    this.queue.schedule(atMs === undefined ? this.queue.now : atMs * US_PER_MS, new Action(deliver));
  }

  /** Calls `listener` for every line on debug `channel` ("*" for all channels) from any mote (TOSSIM's addChannel). */
  onDebug(channel: string, listener: DebugListener): void {
    let l = this.debugListeners.get(channel);
    if (!l) this.debugListeners.set(channel, (l = []));
    l.push(listener);
  }

  // --- running

  get nowUs(): number {
    return this.queue.now;
  }

  get nowMs(): number {
    return this.queue.now / US_PER_MS;
  }

  /** Events run so far. */
  get events(): number {
    return this.queue.eventsRun;
  }

  /** Runs every event up to virtual time `ms`. */
  runUntil(ms: number): void {
    this.queue.runUntil(ms * US_PER_MS);
  }

  runFor(ms: number): void {
    this.runUntil(this.nowMs + ms);
  }

  /** Runs until `condition()` holds (checked after every event) or `timeoutMs` of virtual time pass; whether it held. */
  runUntilCondition(condition: () => boolean, timeoutMs: number): boolean {
    if (condition()) return true;
    const limit = this.queue.now + timeoutMs * US_PER_MS;
    const q = this.queue;
    while (q.peekTime() <= limit) {
      q.step();
      if (condition()) return true;
    }
    q.runUntil(limit);
    return false;
  }

  /**
   * Runs with virtual time paced to the wall clock (`speed` virtual seconds
   * per second, default 1) until `untilMs` or `stop()`, yielding to Node's
   * event loop between slices so serial ports and timers keep working.
   * Virtual time never runs ahead of the clock; `clock` replaces the wall
   * clock (tests drive it by hand).
   */
  async runRealtime(options: RealtimeOptions = {}): Promise<void> {
    const speed = options.speed ?? 1;
    const clock = options.clock ?? WALL_CLOCK;
    const until = options.untilMs === undefined ? Infinity : options.untilMs * US_PER_MS;
    const startWall = clock.now();
    const startVirtual = this.queue.now;
    this.stopRequested = false;
    while (!this.stopRequested) {
      const target = Math.min(until, startVirtual + (clock.now() - startWall) * US_PER_MS * speed);
      this.queue.runUntil(target);
      options.onSlice?.();
      if (this.queue.now >= until) break;
      // Sleep until the next event is due, but wake at least every 20 ms for the serial ports.
      const next = Math.min(this.queue.peekTime(), until);
      const waitMs = Math.max(1, Math.min(20, (next - target) / US_PER_MS / speed));
      await clock.sleep(waitMs);
    }
  }

  /** Ends a `runRealtime` (or a CLI run) after its current slice. */
  stop(): void {
    this.stopRequested = true;
  }

  get stopped(): boolean {
    return this.stopRequested;
  }

  // --- reports

  energy(id: number): EnergyReport {
    const m = this.mote(id);
    const radio = m.radio as MoteRadio;
    return energyReport(this.energyTable, {
      poweredUs: m.poweredTimeUs(),
      radioOnUs: radio.onTimeUs(),
      radioTxUs: radio.txUs,
      wakeupsRadioOn: m.sleepsRadioOn,
      wakeupsRadioOff: m.sleeps - m.sleepsRadioOn,
      sensorReads: m.sensorReads,
      ledOnUs: m.ledOnTimeUs(),
      elapsedUs: this.queue.now,
    });
  }

  summary(): MoteSummary[] {
    return this.list.map((m) => {
      const c = m.counters;
      const e = this.energy(m.nodeId);
      return {
        id: m.nodeId,
        on: m.booted,
        boots: c.boots,
        sent: c.sent,
        transmissions: c.transmissions,
        retries: c.retries,
        acked: c.acked,
        noAck: c.noAck,
        sendFailed: c.sendFailed,
        received: c.received,
        lost: c.lost,
        collided: c.collided,
        duplicates: c.duplicates,
        ccaBusy: c.ccaBusy,
        ledToggles: m.ledChanges,
        serialBytesOut: c.serialBytesOut,
        serialBytesIn: c.serialBytesIn,
        wakeups: m.sleeps,
        averageMa: e.averageMa,
        totalMah: e.totalMah,
        lifetimeDays: e.lifetimeDays,
      };
    });
  }

  /** Writes every mote's energy account to the trace. */
  traceEnergy(): void {
    if (!this.tracer) return;
    for (const m of this.list) {
      const e = this.energy(m.nodeId);
      const states: Record<string, number> = {};
      for (const s of e.states) states[s.name] = s.seconds;
      this.tracer.energy(this.queue.now, m.nodeId, e.totalMah, e.averageMa, e.lifetimeDays, states);
    }
  }

  // --- MoteEnvironment (what each SimMote asks of the world)

  readSensor(mote: SimMote, channel: number): number {
    const source = this.sensors.get(channel);
    return source ? source(this.queue.now / 1e6, mote) : 0;
  }

  debug(mote: SimMote, channel: string, message: string): void {
    this.tracer?.dbg(this.queue.now, mote.nodeId, channel, message);
    if (this.debugListeners.size === 0) return;
    const exact = this.debugListeners.get(channel);
    if (exact) for (const l of exact) l(mote, channel, message);
    const any = this.debugListeners.get("*");
    if (any) for (const l of any) l(mote, channel, message);
  }
}

/**
 * Builds a configuration file for the sim platform and loads its image:
 * the factory `addMote`/`addMotes` take. Type-checks the sources first
 * unless `typecheck` is false.
 */
export async function buildImage(entry: string, options: { readonly typecheck?: boolean } = {}): Promise<ImageFactory> {
  const { build } = await import("../build/build.ts");
  const { loadImageText } = await import("./image.ts");
  const report = await build({ entry, platform: "sim", write: false, typecheck: options.typecheck ?? true });
  return loadImageText(report.image, `${report.app}.js`);
}
