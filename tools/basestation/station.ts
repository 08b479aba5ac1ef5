/**
 * The base station's core: reads every port, deframes and checks each
 * packet, decodes it with the message catalog, keeps per-mote statistics,
 * stores packets and readings in batches, and tells listeners (the
 * dashboard's event stream, MQTT, SerialForwarder clients) what arrived.
 * Commands go out through each port's CommandChannel (0x44, ACK, retries).
 *
 * The flow of one packet: port chunk -> SerialReader (framing, CRC) ->
 * ingest (ACK a 0x44, decode, sequence check, readings) -> pending batch ->
 * flush (one SQLite transaction) -> events. A packet is *stored* when the
 * transaction holding it has committed; `storage.committed` says how many.
 */
import {
  type AmPacket,
  encodeAck,
  encodeAmPacket,
  encodeMessage,
  emptyMessage,
  type MessageDefinition,
  parseAmPacket,
  SERIAL_PROTO_PACKET_ACK,
  SerialReader,
  type SerialStats,
} from "../serial/index.ts";
import { CommandChannel, type CommandResult } from "./commands.ts";
import { MessageCatalog, type Profile } from "./messages.ts";
import { type PortInfo, SupervisedPort } from "./port.ts";
import { type PacketRecord, type ReadingRecord, Storage } from "./storage.ts";
import { type MoteState, type MoteSummary, newMoteState, observeSeq, payloadHash, summarize, type Verdict } from "./tracker.ts";

export interface PortSpec {
  readonly path: string;
  readonly baud?: number;
}

export interface BaseStationOptions {
  readonly ports: readonly PortSpec[];
  /** The SQLite file (":memory:" for none). */
  readonly db: string;
  readonly catalog?: MessageCatalog;
  /** Name of this base station (MQTT topics). Default: the host name. */
  readonly station?: string;
  readonly sync?: "normal" | "full";
  /** Longest a packet waits before its batch is written. Default 10 ms. */
  readonly flushMs?: number;
  /** A batch is written at once when it reaches this many packets. Default 5000. */
  readonly maxBatch?: number;
  readonly retry?: { readonly minMs?: number; readonly maxMs?: number };
  readonly ack?: { readonly timeoutMs?: number; readonly retries?: number };
  readonly log?: (line: string) => void;
}

/** Readings of one mote and field that arrived together. */
export interface SeriesUpdate {
  readonly mote: number;
  readonly message: string;
  readonly field: string;
  readonly unit: string;
  /** [time ms, value], oldest first. */
  readonly points: [number, number][];
}

export interface CommandRecord {
  readonly id: number;
  readonly t: number;
  readonly source: string;
  readonly description: string;
  readonly dest: number;
  readonly type: number;
  readonly results: readonly CommandResult[];
}

export type StationEvent =
  | { readonly kind: "readings"; readonly series: readonly SeriesUpdate[]; readonly committed: number }
  | { readonly kind: "motes"; readonly motes: readonly MoteSummary[] }
  | { readonly kind: "port"; readonly port: PortInfo }
  | { readonly kind: "command"; readonly command: CommandRecord };

/** A bad input, naming the parameter (HTTP 400, an MQTT error reply, a CLI usage error). */
export class InputError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = "InputError";
  }
}

interface PortContext {
  readonly path: string;
  readonly port: SupervisedPort;
  readonly reader: SerialReader;
  readonly commands: CommandChannel;
  /** Counters saved by earlier runs. */
  readonly base: SerialStats;
}

const emptyStats = (): SerialStats => ({
  bytes: 0,
  frames: 0,
  packets: 0,
  acks: 0,
  noise: 0,
  dropped: { badCrc: 0, tooLong: 0, escapeError: 0, unknownProtocol: 0, truncated: 0, unknownDispatch: 0 },
});

function addStats(a: SerialStats, b: SerialStats): SerialStats {
  const dropped = { ...a.dropped };
  for (const k of Object.keys(dropped) as (keyof SerialStats["dropped"])[]) dropped[k] += b.dropped[k] ?? 0;
  return {
    bytes: a.bytes + b.bytes,
    frames: a.frames + b.frames,
    packets: a.packets + b.packets,
    acks: a.acks + b.acks,
    noise: a.noise + b.noise,
    dropped,
  };
}

/** A parsed, validated command: what to send and where. */
export interface CommandSpec {
  readonly dest: number;
  readonly group?: number;
  readonly type: number;
  readonly payload: Uint8Array;
  /** Port paths; empty = choose (the destination's port, else every port). */
  readonly ports: readonly string[];
  readonly description: string;
}

export class BaseStation {
  readonly catalog: MessageCatalog;
  readonly storage: Storage;
  readonly station: string;
  readonly startedAt = Date.now();
  private readonly ports = new Map<string, PortContext>();
  private readonly motes = new Map<number, MoteState>();
  private readonly listeners = new Set<(e: StationEvent) => void>();
  private readonly packetListeners = new Set<(raw: Uint8Array, port: string) => void>();
  private pending: PacketRecord[] = [];
  private pendingReadings: ReadingRecord[][] = [];
  private readonly touched = new Set<number>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly log: (line: string) => void;
  private commandId = 0;
  private lastVersionSent = 0;
  readonly commandLog: CommandRecord[] = [];
  /** Counters for this run. */
  readonly counts = { packets: 0, duplicates: 0, undecoded: 0, storeErrors: 0, lastStoreError: "" };
  /** The last packet stored (committed): its row id and when. */
  lastCommitted: { id: number; t: number } | undefined;
  private closed = false;

  private constructor(private readonly options: BaseStationOptions) {
    this.catalog = options.catalog ?? new MessageCatalog();
    this.storage = new Storage(options.db, { sync: options.sync, log: options.log });
    this.station = options.station ?? "station";
    this.flushMs = options.flushMs ?? 10;
    this.maxBatch = options.maxBatch ?? 5000;
    this.log = options.log ?? ((line) => console.error(line));
    for (const m of this.storage.loadMotes()) this.motes.set(m.mote, m);
  }

  /** Opens the database and starts reading every port (a port that cannot be opened yet is retried). */
  static async start(options: BaseStationOptions): Promise<BaseStation> {
    const station = new BaseStation(options);
    const saved = station.storage.loadPortStats();
    const seen = new Set<string>();
    for (const spec of options.ports) {
      if (seen.has(spec.path)) throw new InputError("port", `port ${spec.path} is given twice`);
      seen.add(spec.path);
      station.addPort(spec, saved.get(spec.path));
    }
    await Promise.all([...station.ports.values()].map((c) => c.port.start()));
    return station;
  }

  private addPort(spec: PortSpec, saved: string | undefined): void {
    const path = spec.path;
    let base = emptyStats();
    if (saved) {
      try {
        base = addStats(emptyStats(), JSON.parse(saved) as SerialStats);
      } catch {
        // Unreadable counters start again from zero.
      }
    }
    const ctx: PortContext = {
      path,
      base,
      reader: new SerialReader({
        onPacket: (p) => this.ingest(ctx, p),
        onAck: (seq) => ctx.commands.onAck(seq),
      }),
      port: new SupervisedPort({
        path,
        baud: spec.baud ?? 115200,
        minBackoffMs: this.options.retry?.minMs,
        maxBackoffMs: this.options.retry?.maxMs,
        onData: (chunk) => ctx.reader.push(chunk),
        onStatus: (info) => {
          if (info.status === "open") ctx.reader.reset();
          this.logPort(info);
          this.emit({ kind: "port", port: info });
        },
      }),
      commands: new CommandChannel({
        port: path,
        write: (bytes) => ctx.port.write(bytes),
        ackTimeoutMs: this.options.ack?.timeoutMs,
        retries: this.options.ack?.retries,
      }),
    };
    this.storage.portId(path);
    this.ports.set(path, ctx);
  }

  private lastLogged = new Map<string, string>();

  private logPort(info: PortInfo): void {
    let line: string;
    if (info.status === "open") line = `port ${info.path}: open at ${info.baud} baud${info.opens > 1 ? " again; reading resumes" : ""}`;
    else if (info.status === "retrying") line = `port ${info.path}: ${info.problem?.message}; ${info.problem?.advice}. Retrying`;
    else if (info.status === "closed") line = `port ${info.path}: closed`;
    else return;
    // A port that stays away is reported once, not at every retry.
    const key = info.status === "retrying" ? `${info.status}:${info.problem?.code}` : `${info.status}:${info.opens}`;
    if (this.lastLogged.get(info.path) === key) return;
    this.lastLogged.set(info.path, key);
    this.log(line);
  }

  // ---------------------------------------------------------------------------
  // Ingest

  private ingest(ctx: PortContext, p: AmPacket): void {
    if (this.closed) return;
    const t = Date.now();
    if (p.protocol === SERIAL_PROTO_PACKET_ACK) ctx.port.write(encodeAck(p.seq)).catch(() => {});
    const raw = encodeAmPacket(p);
    for (const l of this.packetListeners) l(raw, ctx.path);
    this.counts.packets++;
    let decoded;
    try {
      decoded = this.catalog.decode(p);
    } catch {
      decoded = undefined;
    }
    const mote = decoded ? decoded.node : p.src;
    let m = this.motes.get(mote);
    if (!m) {
      m = newMoteState(mote, ctx.path, t);
      this.motes.set(mote, m);
    }
    m.port = ctx.path;
    m.lastSeen = t;
    const name = decoded ? decoded.profile.message.name : "unknown";
    let verdict: Verdict = "untracked";
    if (decoded && decoded.seq !== undefined) {
      verdict = observeSeq(m, String(p.type), decoded.seq, decoded.profile.seqModulus, payloadHash(p.payload));
    }
    const duplicate = verdict === "duplicate";
    const readings: ReadingRecord[] = [];
    if (duplicate) {
      this.counts.duplicates++;
    } else {
      m.packets++;
      m.messages[name] = (m.messages[name] ?? 0) + 1;
      if (!decoded) this.counts.undecoded++;
      if (decoded) {
        for (const k of Object.keys(decoded.status)) m.status[k] = decoded.status[k]!;
        if (decoded.parent !== undefined) {
          m.parent = decoded.parent;
          m.routeSeen = t;
          if (decoded.etx !== undefined) m.etx = decoded.etx;
        }
        for (const r of decoded.readings) {
          const rt = Math.round(t - r.ageMs);
          readings.push({ t: rt, mote, message: name, field: r.field, unit: r.unit, value: r.value });
          const latest = m.latest[r.field];
          if (!latest || latest.t <= rt) m.latest[r.field] = { t: rt, value: r.value, unit: r.unit, message: name };
        }
      }
    }
    this.pending.push({
      t,
      port: ctx.path,
      mote,
      src: p.src,
      dest: p.dest,
      group: p.group,
      type: p.type,
      message: decoded ? name : null,
      seq: decoded?.seq ?? null,
      duplicate,
      raw,
    });
    this.pendingReadings.push(readings);
    this.touched.add(mote);
    if (this.pending.length >= this.maxBatch) this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
  }

  /** Stores what is pending in one transaction, then tells the listeners. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const packets = this.pending;
    const readings = this.pendingReadings;
    const touched = [...this.touched].map((id) => this.motes.get(id)!);
    const ports = [...this.ports.values()].map((c) => ({ path: c.path, stats: JSON.stringify(this.portStats(c)) }));
    let ids: { first: number; last: number };
    try {
      ids = this.storage.write(packets, readings, touched, ports);
    } catch (e) {
      // Keep the batch and try again (a full disk, a locked file).
      this.counts.storeErrors++;
      const message = (e as Error).message;
      if (message !== this.counts.lastStoreError) this.log(`storage: writing ${packets.length} packets failed: ${message}; retrying`);
      this.counts.lastStoreError = message;
      if (!this.closed) this.flushTimer = setTimeout(() => this.flush(), 1000);
      return;
    }
    this.pending = [];
    this.pendingReadings = [];
    this.touched.clear();
    this.lastCommitted = { id: ids.last, t: Date.now() };
    if (this.listeners.size === 0) return;
    // Group the readings by mote and field for the listeners.
    const series = new Map<string, SeriesUpdate>();
    for (const rs of readings) {
      for (const r of rs) {
        const key = `${r.mote}\0${r.message}\0${r.field}`;
        let s = series.get(key);
        if (!s) {
          s = { mote: r.mote, message: r.message, field: r.field, unit: r.unit, points: [] };
          series.set(key, s);
        }
        s.points.push([r.t, r.value]);
      }
    }
    if (series.size) this.emit({ kind: "readings", series: [...series.values()], committed: this.storage.packetCount });
    this.emit({ kind: "motes", motes: touched.map((m) => this.summary(m)) });
  }

  private emit(e: StationEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (error) {
        this.log(`listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** Listens to readings (after they are stored), mote statistics, port changes and commands. */
  on(listener: (e: StationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every packet as it arrives (unframed: dispatch byte, AM header, payload), before it is stored. */
  onPacket(listener: (raw: Uint8Array, port: string) => void): () => void {
    this.packetListeners.add(listener);
    return () => this.packetListeners.delete(listener);
  }

  // ---------------------------------------------------------------------------
  // Queries

  private portStats(c: PortContext): SerialStats {
    return addStats(c.base, c.reader.stats);
  }

  private summary(m: MoteState): MoteSummary {
    const c = this.ports.get(m.port);
    return summarize(m, c ? this.portStats(c).dropped.badCrc : 0);
  }

  moteList(): MoteSummary[] {
    return [...this.motes.values()].sort((a, b) => a.mote - b.mote).map((m) => this.summary(m));
  }

  mote(id: number): MoteSummary | undefined {
    const m = this.motes.get(id);
    return m && this.summary(m);
  }

  portList(): (PortInfo & { serial: SerialStats; commands: CommandChannel["counts"] })[] {
    return [...this.ports.values()].map((c) => ({ ...c.port.info, serial: this.portStats(c), commands: { ...c.commands.counts } }));
  }

  hasPort(path: string): boolean {
    return this.ports.has(path);
  }

  /** The collection tree as far as routing information has been seen. */
  tree(): { nodes: { mote: number; parent?: number; etx?: number; routeSeen?: number; lastSeen: number }[]; roots: number[] } {
    const nodes = [...this.motes.values()]
      .sort((a, b) => a.mote - b.mote)
      .map((m) => ({
        mote: m.mote,
        // CTP advertises parent 0xFFFF while a mote has no route: no edge.
        ...(m.parent !== undefined && m.parent !== 0xffff ? { parent: m.parent } : {}),
        ...(m.etx !== undefined ? { etx: m.etx } : {}),
        ...(m.routeSeen !== undefined ? { routeSeen: m.routeSeen } : {}),
        lastSeen: m.lastSeen,
      }));
    // A CTP root advertises itself as its parent, at ETX 0.
    const roots = nodes.filter((n) => n.parent !== undefined && (n.parent === n.mote || n.etx === 0)).map((n) => n.mote);
    return { nodes, roots };
  }

  stats() {
    return {
      station: this.station,
      startedAt: this.startedAt,
      uptimeMs: Date.now() - this.startedAt,
      ports: this.portList(),
      motes: this.motes.size,
      run: { ...this.counts },
      storage: {
        file: this.storage.file,
        packets: this.storage.packetCount,
        readings: this.storage.readingCount,
        commits: this.storage.commits,
        pending: this.pending.length,
        lastCommitted: this.lastCommitted ?? null,
      },
    };
  }

  // ---------------------------------------------------------------------------
  // Commands

  /** Validates a command (from the API, MQTT or the CLI); throws InputError naming the bad parameter. */
  parseCommand(body: unknown): CommandSpec {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new InputError("body", "the command must be a JSON object, e.g. {\"interval\": 512}");
    }
    const b = body as Record<string, unknown>;
    const allowed = new Set(["interval", "message", "fields", "type", "payload", "dest", "group", "port"]);
    for (const k of Object.keys(b)) if (!allowed.has(k)) throw new InputError(k, `unknown parameter \`${k}' (allowed: ${[...allowed].join(", ")})`);
    const int = (name: string, max: number, fallback?: number): number => {
      const v = b[name];
      if (v === undefined && fallback !== undefined) return fallback;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw new InputError(name, `${name} must be an integer 0..${max}`);
      return v;
    };
    const dest = int("dest", 0xffff, 0xffff);
    const group = b.group === undefined ? undefined : int("group", 0xff);
    let ports: string[] = [];
    if (b.port !== undefined) {
      if (typeof b.port !== "string" || !this.ports.has(b.port)) {
        throw new InputError("port", `port must be one of this base station's ports: ${[...this.ports.keys()].join(", ")}`);
      }
      ports = [b.port];
    }
    const forms = ["interval", "message", "type"].filter((k) => b[k] !== undefined);
    if (forms.length !== 1) {
      throw new InputError(forms[1] ?? "interval", "give exactly one of interval (Oscilloscope), message (+ fields) or type (+ payload)");
    }
    if (b.interval !== undefined) {
      const interval = b.interval;
      if (typeof interval !== "number" || !Number.isInteger(interval) || interval < 1 || interval > 0xffff) {
        throw new InputError("interval", "interval must be an integer number of milliseconds 1..65535");
      }
      const profile = this.oscilloscopeProfile();
      // Newer than any version heard and any sent (as TinyOS's Oscilloscope.java counts its own).
      const version = (Math.max(this.maxStatus("version"), this.lastVersionSent) + 1) & 0xffff;
      this.lastVersionSent = version;
      const value = { ...emptyMessage(profile.message), version, interval } as Record<string, unknown>;
      return {
        dest,
        ...(group !== undefined ? { group } : {}),
        type: profile.message.amType,
        payload: encodeMessage(profile.message, value as never),
        ports,
        description: `${profile.message.name} interval ${interval} ms (version ${version})`,
      };
    }
    if (b.message !== undefined) {
      if (typeof b.message !== "string" || !this.catalog.byMessageName(b.message)) {
        throw new InputError("message", `message must be one of ${this.catalog.profiles.map((p) => p.message.name).join(", ")}`);
      }
      const def: MessageDefinition = this.catalog.byMessageName(b.message)!.message;
      const fields = b.fields ?? {};
      if (typeof fields !== "object" || fields === null || Array.isArray(fields)) throw new InputError("fields", "fields must be an object");
      const value = { ...emptyMessage(def), ...(fields as Record<string, unknown>) };
      let payload: Uint8Array;
      try {
        payload = encodeMessage(def, value as never);
      } catch (e) {
        throw new InputError("fields", (e as Error).message);
      }
      return { dest, ...(group !== undefined ? { group } : {}), type: def.amType, payload, ports, description: `${def.name} ${JSON.stringify(fields)}` };
    }
    const type = int("type", 0xff);
    const hex = b.payload ?? "";
    if (typeof hex !== "string" || !/^([0-9a-fA-F]{2})*$/.test(hex.replace(/\s+/g, ""))) {
      throw new InputError("payload", "payload must be hex bytes, e.g. \"0102ff\"");
    }
    const payload = Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
    if (payload.length > 245) throw new InputError("payload", "payload is longer than the serial MTU allows (245 bytes)");
    return { dest, ...(group !== undefined ? { group } : {}), type, payload, ports, description: `AM type ${type} payload ${hex}` };
  }

  /** The Oscilloscope variant the motes speak (MultihopOscilloscope when one has been heard). */
  private oscilloscopeProfile(): Profile {
    const multihop = [...this.motes.values()].some((m) => (m.messages.MultihopOscilloscopeMsg ?? 0) > 0);
    const name = multihop ? "MultihopOscilloscopeMsg" : "OscilloscopeMsg";
    const p = this.catalog.byMessageName(name) ?? this.catalog.lookup(0x93, 28);
    if (!p) throw new InputError("interval", "no Oscilloscope message is declared");
    return p;
  }

  private maxStatus(key: string): number {
    let max = 0;
    for (const m of this.motes.values()) {
      const v = m.status[key];
      if (v !== undefined && v > max) max = v;
    }
    return max;
  }

  /** Sends a command: to its port, else to the port its destination was last heard on, else to every port. */
  async sendCommand(spec: CommandSpec, source: string): Promise<CommandRecord> {
    let targets = spec.ports;
    if (targets.length === 0) {
      const known = spec.dest !== 0xffff ? this.motes.get(spec.dest) : undefined;
      targets = known && this.ports.has(known.port) ? [known.port] : [...this.ports.keys()];
    }
    const data = encodeAmPacket({ dest: spec.dest, src: 0, group: spec.group, type: spec.type, payload: spec.payload });
    const results = await Promise.all(targets.map((path) => this.ports.get(path)!.commands.send(data)));
    const record: CommandRecord = {
      id: ++this.commandId,
      t: Date.now(),
      source,
      description: spec.description,
      dest: spec.dest,
      type: spec.type,
      results,
    };
    this.commandLog.push(record);
    if (this.commandLog.length > 100) this.commandLog.shift();
    const summary = results.map((r) => (r.ok ? `${r.port} ACKed (seq ${r.seq}, ${r.attempts} ${r.attempts === 1 ? "try" : "tries"})` : `${r.port} ${r.error}`));
    this.log(`command from ${source}: ${spec.description} to ${spec.dest === 0xffff ? "all motes" : `mote ${spec.dest}`}: ${summary.join("; ")}`);
    this.emit({ kind: "command", command: record });
    return record;
  }

  /** Sends an unframed packet (a SerialForwarder client's) to every port, with ACK and retries. */
  async sendRaw(data: Uint8Array, source: string): Promise<CommandResult[]> {
    const parsed = parseAmPacket(data);
    const results = await Promise.all([...this.ports.values()].map((c) => c.commands.send(data)));
    if (typeof parsed !== "number") {
      this.log(`packet from ${source}: AM type ${parsed.type} to ${parsed.dest}: ${results.map((r) => (r.ok ? `${r.port} ACKed` : `${r.port} ${r.error}`)).join("; ")}`);
    }
    return results;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.ports.values()].map((c) => c.port.close()));
    this.flush();
    // A batch the database refused gets a few more tries before it closes; what is still left is said, not dropped quietly.
    for (let attempt = 0; this.pending.length > 0 && attempt < 3; attempt++) {
      await new Promise((r) => setTimeout(r, 200));
      this.flush();
    }
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.pending.length > 0) {
      this.log(`storage: ${this.pending.length} packets received before closing were not stored: ${this.counts.lastStoreError}`);
    }
    this.listeners.clear();
    this.packetListeners.clear();
    await this.storage.close();
  }
}
