/**
 * The base station's database: one SQLite file (better-sqlite3) in WAL mode.
 *
 * Every packet is a row of `packets` (time received, port, mote, AM header,
 * message name, sequence value, duplicate flag, the unframed packet bytes);
 * every decoded reading is a row of `readings` (packet, sample time, mote,
 * field, value). Packets arrive in batches: one transaction stores a batch
 * together with the motes' statistics as they stand after it, so a batch is
 * either wholly stored or not at all, and the statistics (sequence windows
 * for duplicates included) always match the stored packets.
 *
 * Durability: with `synchronous = NORMAL` (the default) a committed batch
 * survives the process being killed (kill -9, a crash); with `sync: "full"`
 * it also survives the machine losing power, at some cost in speed.
 *
 * Checkpoints (copying the WAL back into the database file, with an fsync)
 * run in a worker thread on a connection of its own, once a second, so
 * that the thread reading the serial ports never waits for one. A passive
 * checkpoint seldom finds the WAL wholly copied while batches keep coming,
 * and SQLite only rewinds a WAL that was, so the file would grow for as
 * long as the station runs; once it passes WAL_LIMIT_BYTES the worker runs
 * a TRUNCATE checkpoint, which holds new batches back for the moment it
 * takes to copy what the last passive one left and empties the file.
 */

/** The checkpointing thread: plain JavaScript, so it needs no TypeScript loader. */
const CHECKPOINTER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
// Prepared once: better-sqlite3's db.pragma() prepares a statement per call,
// whose native memory this nearly allocation-free thread's GC seldom frees.
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const truncate = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
const pageSize = db.pragma("page_size", { simple: true });
const timer = setInterval(() => {
  try {
    const r = passive.get();
    if (r.log * pageSize > workerData.walLimitBytes) truncate.get();
  } catch (e) { parentPort.postMessage(String(e && e.message)); }
}, workerData.everyMs);
parentPort.on("message", () => { clearInterval(timer); db.close(); parentPort.close(); });
`;
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { type MoteState, moteStateFromJson, moteStateToJson } from "./tracker.ts";

const SCHEMA_VERSION = 1;

/** The WAL's size past which the checkpointer empties it (and the size SQLite trims it to when it rewinds). */
export const WAL_LIMIT_BYTES = 16 * 2 ** 20;

/** The checkpointing thread's young generation (V8 semi-spaces and new large objects), in MB. */
const CHECKPOINTER_YOUNG_MB = 2;

export interface PacketRecord {
  /** Milliseconds since the epoch, when the packet's last byte was read. */
  readonly t: number;
  readonly port: string;
  /** The mote the data is from (the message's node field, else the AM source). */
  readonly mote: number;
  readonly src: number;
  readonly dest: number;
  readonly group: number;
  readonly type: number;
  /** The declaration that decoded it; null when stored raw. */
  readonly message: string | null;
  readonly seq: number | null;
  readonly duplicate: boolean;
  /** The unframed packet: dispatch byte, AM header, payload (what SerialForwarder carries). */
  readonly raw: Uint8Array;
}

export interface ReadingRecord {
  readonly t: number;
  readonly mote: number;
  readonly message: string;
  readonly field: string;
  readonly unit: string;
  readonly value: number;
}

export interface StoredPacket {
  id: number;
  t: number;
  port: string;
  mote: number;
  src: number;
  dest: number;
  group: number;
  type: number;
  message: string | null;
  seq: number | null;
  duplicate: boolean;
  raw: Uint8Array;
}

export interface FieldInfo {
  id: number;
  message: string;
  field: string;
  unit: string;
}

export interface HistoryPoint {
  t: number;
  value: number;
}

export interface ExportRow {
  t: number;
  mote: number;
  message: string;
  field: string;
  unit: string;
  value: number;
}

export interface StorageOptions {
  /** "normal" (survives a killed process) or "full" (also a power cut). */
  readonly sync?: "normal" | "full";
  /** How often the worker thread checkpoints the WAL. Default 1000 ms. */
  readonly checkpointMs?: number;
  /** The WAL's size past which it is emptied. Default WAL_LIMIT_BYTES. */
  readonly walLimitBytes?: number;
  /** Where trouble in the checkpointing thread is reported. Default stderr. */
  readonly log?: (line: string) => void;
}

export class Storage {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly portIds = new Map<string, number>();
  private readonly fieldIds = new Map<string, FieldInfo>();
  private readonly insertPacket: Database.Statement;
  private readonly insertReading: Database.Statement;
  private readonly upsertMote: Database.Statement;
  private readonly upsertPort: Database.Statement;
  private readonly writeTx: (
    packets: readonly PacketRecord[],
    readings: readonly (readonly ReadingRecord[])[],
    motes: readonly MoteState[],
    ports: readonly { path: string; stats: string }[],
  ) => { first: number; last: number };
  /** Rows stored so far (this file, all runs). */
  packetCount: number;
  readingCount: number;
  /** Transactions committed by this process. */
  commits = 0;
  private readonly checkpointer: Worker | undefined;
  private checkpointerExited: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly warn: (line: string) => void;

  constructor(file: string, options: StorageOptions = {}) {
    this.file = file;
    this.warn = options.log ?? ((line) => console.error(line));
    if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    try {
      this.db = new Database(file);
      this.db.pragma("journal_mode = WAL");
    } catch (e) {
      // better-sqlite3 says "file is not a database" without saying which.
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    this.db.pragma(`synchronous = ${options.sync === "full" ? "FULL" : "NORMAL"}`);
    this.db.pragma("busy_timeout = 5000");
    // 4 MB of page cache (better-sqlite3's default is 16 MB): the pages new
    // rows go to stay cached either way, and a base station that runs for
    // weeks should not hold more than it needs.
    this.db.pragma("cache_size = -4000");
    this.migrate();
    if (file !== ":memory:") {
      this.db.pragma("wal_autocheckpoint = 0");
      this.db.pragma(`journal_size_limit = ${options.walLimitBytes ?? WAL_LIMIT_BYTES}`);
      this.checkpointer = new Worker(CHECKPOINTER, {
        eval: true,
        // The thread allocates a few hundred bytes a second. A young generation sized like the main thread's
        // (V8's flags are per process) would be written page by page for an hour before its first
        // collection; a small one keeps the thread's resident memory at a few MB from the start.
        resourceLimits: { maxYoungGenerationSizeMb: CHECKPOINTER_YOUNG_MB },
        workerData: { file: path.resolve(file), module: createRequire(import.meta.url).resolve("better-sqlite3"), everyMs: options.checkpointMs ?? 1000, walLimitBytes: options.walLimitBytes ?? WAL_LIMIT_BYTES },
      });
      this.checkpointer.unref();
      const worker = this.checkpointer;
      this.checkpointerExited = new Promise((resolve) => worker.once("exit", () => resolve()));
      worker.on("message", (message: string) => this.warn(`${file}: checkpointing failed: ${message}`));
      worker.on("error", (e) => this.warn(`${file}: the checkpointing thread failed: ${(e as Error).message}`));
      worker.once("exit", () => {
        if (this.closing || !this.db.open) return;
        // Without the thread nothing empties the WAL: SQLite's own checkpoints take over (on this thread).
        this.warn(`${file}: the checkpointing thread stopped; checkpointing on the main thread from now on`);
        this.db.pragma("wal_autocheckpoint = 1000");
      });
    }
    for (const row of this.db.prepare("SELECT id, path FROM ports").all() as { id: number; path: string }[]) {
      this.portIds.set(row.path, row.id);
    }
    for (const row of this.db.prepare("SELECT id, message, field, unit FROM fields").all() as FieldInfo[]) {
      this.fieldIds.set(`${row.message}\0${row.field}`, row);
    }
    this.insertPacket = this.db.prepare(
      "INSERT INTO packets (t, port, mote, src, dest, grp, type, message, seq, dup, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.insertReading = this.db.prepare("INSERT INTO readings (packet, t, mote, field, value) VALUES (?, ?, ?, ?, ?)");
    this.upsertMote = this.db.prepare("INSERT INTO motes (mote, state) VALUES (?, ?) ON CONFLICT(mote) DO UPDATE SET state = excluded.state");
    this.upsertPort = this.db.prepare("UPDATE ports SET stats = ? WHERE id = ?");
    this.packetCount = (this.db.prepare("SELECT COALESCE(MAX(rowid), 0) AS n FROM packets").get() as { n: number }).n;
    this.readingCount = (this.db.prepare("SELECT COALESCE(MAX(rowid), 0) AS n FROM readings").get() as { n: number }).n;
    this.writeTx = this.db.transaction((packets, readings, motes, ports) => {
      let first = -1;
      let last = -1;
      for (let i = 0; i < packets.length; i++) {
        const p = packets[i]!;
        const id = Number(
          this.insertPacket.run(p.t, this.portId(p.port), p.mote, p.src, p.dest, p.group, p.type, p.message, p.seq, p.duplicate ? 1 : 0, p.raw)
            .lastInsertRowid,
        );
        if (first < 0) first = id;
        last = id;
        const rs = readings[i]!;
        for (let k = 0; k < rs.length; k++) {
          const r = rs[k]!;
          this.insertReading.run(id, r.t, r.mote, this.fieldId(r.message, r.field, r.unit), r.value);
        }
      }
      for (const m of motes) this.upsertMote.run(m.mote, moteStateToJson(m));
      for (const p of ports) this.upsertPort.run(p.stats, this.portId(p.path));
      return { first, last };
    });
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`${this.file} was written by a newer mote (schema ${version}; this one knows ${SCHEMA_VERSION})`);
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS ports (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, stats TEXT);
      CREATE TABLE IF NOT EXISTS fields (id INTEGER PRIMARY KEY, message TEXT NOT NULL, field TEXT NOT NULL, unit TEXT NOT NULL,
        UNIQUE (message, field));
      CREATE TABLE IF NOT EXISTS packets (
        id INTEGER PRIMARY KEY, t INTEGER NOT NULL, port INTEGER NOT NULL REFERENCES ports(id),
        mote INTEGER NOT NULL, src INTEGER NOT NULL, dest INTEGER NOT NULL, grp INTEGER NOT NULL, type INTEGER NOT NULL,
        message TEXT, seq INTEGER, dup INTEGER NOT NULL DEFAULT 0, raw BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS packets_mote_t ON packets (mote, t);
      CREATE INDEX IF NOT EXISTS packets_t ON packets (t);
      CREATE TABLE IF NOT EXISTS readings (packet INTEGER NOT NULL, t INTEGER NOT NULL, mote INTEGER NOT NULL,
        field INTEGER NOT NULL REFERENCES fields(id), value REAL NOT NULL);
      CREATE INDEX IF NOT EXISTS readings_mote_field_t ON readings (mote, field, t);
      CREATE INDEX IF NOT EXISTS readings_t ON readings (t);
      CREATE TABLE IF NOT EXISTS motes (mote INTEGER PRIMARY KEY, state TEXT NOT NULL);
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  }

  /** The id of a port's row, made when first seen. */
  portId(portPath: string): number {
    let id = this.portIds.get(portPath);
    if (id === undefined) {
      id = Number(this.db.prepare("INSERT INTO ports (path) VALUES (?)").run(portPath).lastInsertRowid);
      this.portIds.set(portPath, id);
    }
    return id;
  }

  fieldId(message: string, field: string, unit: string): number {
    const key = `${message}\0${field}`;
    let info = this.fieldIds.get(key);
    if (!info) {
      const id = Number(this.db.prepare("INSERT INTO fields (message, field, unit) VALUES (?, ?, ?)").run(message, field, unit).lastInsertRowid);
      info = { id, message, field, unit };
      this.fieldIds.set(key, info);
    }
    return info.id;
  }

  /**
   * Stores a batch in one transaction: the packets, each with its readings,
   * the motes' states after them and the ports' counters. Returns the
   * packets' row ids. Throws (storing nothing) when the database fails.
   */
  write(
    packets: readonly PacketRecord[],
    readings: readonly (readonly ReadingRecord[])[],
    motes: readonly MoteState[],
    ports: readonly { path: string; stats: string }[] = [],
  ): { first: number; last: number } {
    const ids = this.writeTx(packets, readings, motes, ports);
    this.commits++;
    this.packetCount += packets.length;
    for (const r of readings) this.readingCount += r.length;
    return ids;
  }

  loadMotes(): MoteState[] {
    return (this.db.prepare("SELECT state FROM motes ORDER BY mote").all() as { state: string }[]).map((r) => moteStateFromJson(r.state));
  }

  /** Saved counters per port (JSON text as written). */
  loadPortStats(): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of this.db.prepare("SELECT path, stats FROM ports WHERE stats IS NOT NULL").all() as { path: string; stats: string }[]) {
      out.set(r.path, r.stats);
    }
    return out;
  }

  fields(): FieldInfo[] {
    return [...this.fieldIds.values()];
  }

  /** Field ids by name (a name may belong to several messages), optionally of one message. */
  fieldIdsNamed(field: string, message?: string): FieldInfo[] {
    return this.fields().filter((f) => f.field === field && (message === undefined || f.message === message));
  }

  /** Readings of one mote and field in [from, to], oldest first; the newest `limit` when more. */
  history(mote: number, fields: readonly FieldInfo[], from: number, to: number, limit: number): HistoryPoint[] {
    if (fields.length === 0) return [];
    const ids = fields.map((f) => f.id);
    const rows = this.db
      .prepare(
        `SELECT t, value FROM readings WHERE mote = ? AND field IN (${ids.map(() => "?").join(",")}) AND t >= ? AND t <= ?
         ORDER BY t DESC, rowid DESC LIMIT ?`,
      )
      .all(mote, ...ids, from, to, limit) as HistoryPoint[];
    return rows.reverse();
  }

  /** Packets, newest first. */
  packets(filter: { mote?: number; type?: number; from: number; to: number; limit: number }): StoredPacket[] {
    const where = ["p.t >= ?", "p.t <= ?"];
    const args: number[] = [filter.from, filter.to];
    if (filter.mote !== undefined) {
      where.push("p.mote = ?");
      args.push(filter.mote);
    }
    if (filter.type !== undefined) {
      where.push("p.type = ?");
      args.push(filter.type);
    }
    const rows = this.db
      .prepare(
        `SELECT p.id, p.t, ports.path AS port, p.mote, p.src, p.dest, p.grp AS "group", p.type, p.message, p.seq, p.dup, p.raw
         FROM packets p JOIN ports ON ports.id = p.port WHERE ${where.join(" AND ")} ORDER BY p.t DESC, p.id DESC LIMIT ?`,
      )
      .all(...args, filter.limit) as (Omit<StoredPacket, "duplicate" | "raw"> & { dup: number; raw: Buffer })[];
    return rows.map(({ dup, raw, ...r }) => ({ ...r, duplicate: dup === 1, raw: new Uint8Array(raw) }));
  }

  /**
   * One page of readings for export, in (time, row) order after `after`.
   * Paged rather than streamed so that no query stays open while the
   * response waits for the client (the connection keeps writing batches).
   */
  exportPage(
    filter: { mote?: number; fields?: readonly FieldInfo[]; from: number; to: number },
    after: { t: number; row: number } | undefined,
    limit: number,
  ): (ExportRow & { row: number })[] {
    const where = ["r.t >= ?", "r.t <= ?"];
    const args: number[] = [filter.from, filter.to];
    if (filter.mote !== undefined) {
      where.push("r.mote = ?");
      args.push(filter.mote);
    }
    if (filter.fields) {
      if (filter.fields.length === 0) return [];
      where.push(`r.field IN (${filter.fields.map(() => "?").join(",")})`);
      args.push(...filter.fields.map((f) => f.id));
    }
    if (after) {
      where.push("(r.t > ? OR (r.t = ? AND r.rowid > ?))");
      args.push(after.t, after.t, after.row);
    }
    return this.db
      .prepare(
        `SELECT r.rowid AS row, r.t, r.mote, f.message, f.field, f.unit, r.value FROM readings r JOIN fields f ON f.id = r.field
         WHERE ${where.join(" AND ")} ORDER BY r.t, r.rowid LIMIT ?`,
      )
      .all(...args, limit) as (ExportRow & { row: number })[];
  }

  /** Every packet row's (mote, type, seq, dup) in order: for tests and checks. */
  packetKeys(): { id: number; mote: number; type: number; seq: number | null; dup: number }[] {
    return this.db.prepare("SELECT id, mote, type, seq, dup FROM packets ORDER BY id").all() as {
      id: number;
      mote: number;
      type: number;
      seq: number | null;
      dup: number;
    }[];
  }

  /** Closes the database; resolves once the checkpointer has closed its connection too (its files are then left alone). */
  close(): Promise<void> {
    const worker = this.checkpointer;
    // Recorded when the thread started: it may have exited already (it failed), and "exit" fires once.
    const stopped = this.checkpointerExited;
    this.closing = true;
    // Held referenced until it exits: an unref'd worker lets the process end while close() waits for it.
    worker?.ref();
    worker?.postMessage("stop");
    if (this.db.open) {
      try {
        this.db.pragma("wal_checkpoint(TRUNCATE)");
      } catch {
        // The worker may still hold the checkpoint; the WAL is kept and replayed at the next open.
      }
      this.db.close();
    }
    return stopped;
  }
}
