/**
 * The base station's ingest: socat pseudo-terminals and the real serialport
 * package on both ends; packets and readings checked in the SQLite file.
 */
import { statSync, writeFileSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CtpRoutingFrame, MessageCatalog, MultihopOscilloscopeMsg, OscilloscopeMsg } from "../tools/basestation/messages.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { BaseStation } from "../tools/basestation/station.ts";
import { Storage } from "../tools/basestation/storage.ts";
import { observeSeq, newMoteState } from "../tools/basestation/tracker.ts";
import { decodeSerialStream, encodeAmFrame, encodeMessage, encodeFrame } from "../tools/serial/index.ts";
import { MoteEnd, oscFrame, randomBytes, sleep, tempDir, waitFor } from "./fixtures/basestation/support.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(options: { catalog?: MessageCatalog } = {}) {
  const dir = tempDir(cleanups);
  const link = await PtyLink.open();
  cleanups.push(() => link.close());
  const logs: string[] = [];
  const station = await BaseStation.start({
    ports: [{ path: link.host }],
    db: path.join(dir, "readings.sqlite"),
    log: (l) => logs.push(l),
    retry: { minMs: 50, maxMs: 200 },
    ...options,
  });
  cleanups.push(() => station.close());
  const mote = await MoteEnd.open(link.mote);
  cleanups.push(() => mote.close());
  return { dir, link, station, mote, logs };
}

const stored = (station: BaseStation) => {
  station.flush();
  return station.storage.packetKeys();
};

describe("base station ingest", () => {
  it("stores every packet and every decoded reading with time, port, mote and type", async () => {
    const { station, mote, link } = await rig();
    const t0 = Date.now();
    await mote.write(Buffer.concat([oscFrame(5, 0), oscFrame(6, 0), oscFrame(5, 1)]));
    // An unknown AM type is stored raw.
    await mote.write(encodeAmFrame({ src: 9, type: 0x42, payload: Uint8Array.of(1, 2, 3) }));
    const rows = await waitFor("4 packets", () => {
      const r = stored(station);
      return r.length === 4 && r;
    });
    expect(rows.map((r) => [r.mote, r.type, r.seq, r.dup])).toEqual([
      [5, 0x93, 0, 0],
      [6, 0x93, 0, 0],
      [5, 0x93, 1, 0],
      [9, 0x42, null, 0],
    ]);
    const packets = station.storage.packets({ from: 0, to: Date.now() + 1, limit: 10 });
    expect(packets[0]!.message).toBeNull();
    expect(Buffer.from(packets[0]!.raw).toString("hex")).toBe("00ffff0009032242010203");
    expect(packets.every((p) => p.port === link.host && p.t >= t0 && p.t <= Date.now())).toBe(true);

    // Ten readings per Oscilloscope packet, sampled `interval` ms apart, the last one at arrival.
    const fields = station.storage.fieldIdsNamed("readings");
    const history = station.storage.history(5, fields, 0, Date.now() + 1, 100);
    expect(history.map((h) => h.value).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 500 + i));
    const [p5a, p5b] = packets.filter((p) => p.mote === 5).reverse();
    expect(history[0]!.t).toBe(Math.min(p5a!.t, p5b!.t) - 9 * 256);
    expect(history.at(-1)!.t).toBe(p5b!.t);
    const m5 = station.mote(5)!;
    expect(m5).toMatchObject({ packets: 2, lost: 0, duplicates: 0, reboots: 0, status: { version: 1, interval: 256 }, port: link.host });
    expect(m5.latest.readings!.value).toBe(519);
    expect(station.mote(9)).toMatchObject({ packets: 1, messages: { unknown: 1 } });
  });

  it("counts lost packets from count gaps, duplicates, late arrivals and reboots per mote", async () => {
    const { station, mote } = await rig();
    const frames = [0, 1, 2, 5, 6, 6, 4, 7, 0, 1].map((c, i) => oscFrame(3, c, { readings: Array(10).fill(i) }));
    // The second 6 is an exact duplicate; the 0 after 7 has other readings: a reboot.
    frames[5] = oscFrame(3, 6, { readings: Array(10).fill(4) });
    await mote.write(Buffer.concat(frames));
    await waitFor("10 packets", () => stored(station).length === 10);
    expect(station.mote(3)).toMatchObject({ packets: 9, lost: 1, duplicates: 1, late: 1, reboots: 1 });
    expect(stored(station).filter((r) => r.dup).map((r) => r.seq)).toEqual([6]);
    // The duplicate's readings are not stored again.
    expect(station.storage.readingCount).toBe(90);
  });

  it("tells Oscilloscope from MultihopOscilloscope by length and learns the tree from CTP beacons", async () => {
    const { station, mote } = await rig();
    await mote.write(
      Buffer.concat([
        encodeAmFrame({ src: 1, type: 0x93, payload: encodeMessage(MultihopOscilloscopeMsg, { version: 0, interval: 1024, id: 7, count: 0, readings: [1, 2, 3, 4, 5] }) }),
        encodeAmFrame({ src: 7, type: 0x70, payload: encodeMessage(CtpRoutingFrame, { leFlags: 0, leSeq: 1, options: 0, parent: 2, etx: 23 }) }),
        encodeAmFrame({ src: 2, type: 0x70, payload: encodeMessage(CtpRoutingFrame, { leFlags: 0, leSeq: 1, options: 0, parent: 2, etx: 0 }) }),
      ]),
    );
    await waitFor("3 packets", () => stored(station).length === 3);
    expect(station.mote(7)).toMatchObject({ messages: { MultihopOscilloscopeMsg: 1, CtpRoutingFrame: 1 }, parent: 2, etx: 23, status: { interval: 1024 } });
    expect(station.tree().roots).toEqual([2]);
    expect(station.storage.readingCount).toBe(5);
  });

  it("ACKs a mote's 0x44 packets", async () => {
    const { station, mote } = await rig();
    const data = Uint8Array.from([0, 0xff, 0xff, 0, 4, 28, 0x22, 0x93, ...encodeMessage(OscilloscopeMsg, { version: 0, interval: 256, id: 4, count: 0, readings: Array(10).fill(0) })]);
    await mote.write(encodeFrame(0x44, 0x26, data));
    const ack = encodeFrame(0x43, 0x26, new Uint8Array(0));
    await mote.waitForBytes((b) => b.includes(Buffer.from(ack)));
    await waitFor("stored", () => stored(station).length === 1);
  });
});

describe("base station ingest of bad input", () => {
  it("survives random bytes, bit flips, truncated frames and a 10 MB burst of garbage, storing each valid frame once", async () => {
    const { station, mote } = await rig();
    const parts: Uint8Array[] = [];
    let count = 0;
    const valid = () => oscFrame(1 + (count % 7), count++);
    parts.push(valid(), randomBytes(3000, 1), valid());
    // Bit-flipped frames: each one bit of a valid frame flipped.
    for (let k = 0; k < 40; k++) {
      const f = Uint8Array.from(oscFrame(20, 1000 + k));
      const bitIndex = 8 + ((k * 37) % ((f.length - 2) * 8));
      f[bitIndex >> 3]! ^= 1 << (bitIndex & 7);
      parts.push(f, valid());
    }
    // Truncated frames: cut short, then the next frame's flag.
    for (let k = 3; k < 40; k += 3) parts.push(oscFrame(21, 2000 + k).slice(0, k), valid());
    parts.push(Uint8Array.of(0x7e, 0x7e, 0x7d, 0x7e, 0x7d, 0x7d, 0x7e), valid());
    const head = Buffer.concat(parts);
    const garbage = randomBytes(10 * 1024 * 1024, 7);
    const tail = Buffer.concat([valid(), valid()]);
    const all = Buffer.concat([head, garbage, tail]);
    // The reference: what the shared codec finds in the same bytes (every valid frame, possibly a few by chance in the noise).
    const reference = decodeSerialStream(all);
    const expected = reference.packets.length;
    expect(expected).toBeGreaterThanOrEqual(count);

    await mote.write(head);
    for (let at = 0; at < garbage.length; at += 256 * 1024) await mote.write(garbage.subarray(at, at + 256 * 1024));
    await mote.write(tail);
    const rows = await waitFor("every valid frame", () => {
      const r = stored(station);
      return r.length >= expected && r;
    }, 30_000);
    await sleep(100);
    expect(stored(station).length).toBe(expected);
    // Every valid frame we wrote is there exactly once.
    const keys = rows.filter((r) => r.mote >= 1 && r.mote <= 7).map((r) => `${r.mote}:${r.seq}`);
    for (let c = 0; c < count; c++) expect(keys.filter((k) => k === `${1 + (c % 7)}:${c}`)).toHaveLength(1);
    const serial = station.portList()[0]!.serial;
    expect(serial.dropped.badCrc + serial.dropped.tooLong).toBeGreaterThan(30);
    expect(serial.bytes).toBe(all.length);
  }, 60_000);

  it("reassembles frames split at every byte boundary", async () => {
    const { station, mote } = await rig();
    const frame = oscFrame(2, 0, { readings: [0x7e, 0x7d, 0x7e7d, 1, 2, 3, 4, 5, 6, 7] }); // escapes inside
    const frames: Uint8Array[] = [];
    for (let k = 1; k < frame.length; k++) frames.push(oscFrame(2, k, { readings: [0x7e, 0x7d, 0x7e7d, k, 2, 3, 4, 5, 6, 7] }));
    expect(frame.length).toBeGreaterThan(44);
    for (let k = 1; k < frames.length + 1; k++) {
      const f = frames[k - 1]!;
      await mote.write(f.subarray(0, k));
      await sleep(3);
      await mote.write(f.subarray(k));
    }
    const rows = await waitFor("every split frame", () => {
      const r = stored(station);
      return r.length === frames.length && r;
    });
    expect(rows.map((r) => r.seq)).toEqual(frames.map((_, i) => i + 1));
    expect(station.portList()[0]!.serial.dropped).toMatchObject({ badCrc: 0, truncated: 0 });
  });
});

describe("sequence tracking", () => {
  it("classifies counts across wrap-around, jumps and reboots", () => {
    const m = newMoteState(1, "p", 0);
    const v = (s: number, h = s) => observeSeq(m, "147", s, 65536, h);
    expect([v(65534), v(65535), v(0), v(3), v(2), v(2), v(40000), v(1)]).toEqual(["first", "new", "new", "new", "late", "duplicate", "jump", "reboot"]);
    expect(m).toMatchObject({ lost: 1, late: 1, duplicates: 1, jumps: 1, reboots: 1 });
  });

  it("keeps the motes' state with the packets in the database", async () => {
    const dir = tempDir(cleanups);
    const storage = new Storage(path.join(dir, "s.sqlite"));
    const m = newMoteState(4, "/dev/x", 1);
    observeSeq(m, "147", 10, 65536, 1);
    storage.write([], [], [m]);
    await storage.close();
    const again = new Storage(path.join(dir, "s.sqlite"));
    cleanups.push(() => again.close());
    const [m2] = again.loadMotes();
    expect(observeSeq(m2!, "147", 10, 65536, 1)).toBe("duplicate");
  });
});

describe("the WAL stays bounded", () => {
  const logged: string[] = [];
  /** 1,500 batches, one every millisecond or so; the WAL file's largest size and how often it shrank. */
  async function batchesFor(walLimitBytes: number, before: (storage: Storage) => Promise<void> = async () => {}) {
    const file = path.join(tempDir(cleanups), "wal.sqlite");
    const storage = new Storage(file, { checkpointMs: 20, walLimitBytes, log: (line) => logged.push(line) });
    cleanups.push(() => storage.close());
    await before(storage);
    const m = newMoteState(1, "/dev/x", 1);
    let largest = 0;
    let emptied = 0;
    let previous = 0;
    for (let batch = 0; batch < 1500; batch++) {
      const packets = Array.from({ length: 20 }, (_, i) => ({
        t: batch,
        port: "/dev/x",
        mote: 1,
        src: 1,
        dest: 0xffff,
        group: 0x22,
        type: 0x93,
        message: null,
        seq: batch * 20 + i,
        duplicate: false,
        raw: new Uint8Array(36).fill(i),
      }));
      storage.write(packets, packets.map(() => []), [m]);
      const size = statSync(`${file}-wal`).size;
      if (size < previous) emptied++;
      previous = size;
      largest = Math.max(largest, size);
      await sleep(1);
    }
    return { largest, emptied };
  }

  it("empties the WAL once it passes its limit, though batches never stop", async () => {
    const limit = 512 * 1024;
    // Without a limit a passive checkpoint seldom finds the WAL wholly
    // copied while batches keep coming, so SQLite never rewinds it.
    const unlimited = await batchesFor(2 ** 40);
    expect(unlimited.largest).toBeGreaterThan(6 * limit);
    const limited = await batchesFor(limit);
    expect(limited.emptied).toBeGreaterThan(0);
    // The batches of a checkpoint period or two may land past the limit before the worker acts.
    expect(limited.largest).toBeLessThan(8 * limit);
    expect(limited.largest).toBeLessThan(unlimited.largest / 4);
  });

  it("says when the checkpointing thread stops, checkpoints on the main thread from then on, and still closes", async () => {
    const limit = 512 * 1024;
    const unlimited = await batchesFor(2 ** 40);
    let stopped: Storage | undefined;
    const orphaned = await batchesFor(2 ** 40, async (storage) => {
      stopped = storage;
      await (storage as unknown as { checkpointer: Worker }).checkpointer.terminate();
      await waitFor("the warning", () => logged.some((l) => l.endsWith("the checkpointing thread stopped; checkpointing on the main thread from now on")));
    });
    // SQLite's own checkpoint every 1,000 pages (4 MB) rewinds the WAL.
    expect(orphaned.largest).toBeLessThan(2 * 4 * 2 ** 20 + limit);
    expect(orphaned.largest).toBeLessThan(unlimited.largest / 2);
    // The thread's exit happened long before close(), which must not wait for it again.
    await stopped!.close();
  });

  it("names the database file it cannot open", () => {
    const file = path.join(tempDir(cleanups), "notes.sqlite");
    writeFileSync(file, "these are not SQLite pages\n".repeat(200));
    expect(() => new Storage(file)).toThrow(`${file}: file is not a database`);
  });
});

describe("application messages (--messages)", () => {
  it("decodes an application's declarations with its profile", async () => {
    const { catalogFrom } = await import("../tools/basestation/messages.ts");
    const { WeatherMsg } = await import("./fixtures/basestation/WeatherMsg.ts");
    const catalog = await catalogFrom([path.join(import.meta.dirname, "fixtures/basestation/WeatherMsg.ts")]);
    const { station, mote } = await rig({ catalog });
    const frame = (seqno: number, temperature: number) =>
      encodeAmFrame({ src: 1, type: 0x31, payload: encodeMessage(WeatherMsg, { node: 42, seqno, temperature, humidity: 55, wind: [3, 4] }) });
    await mote.write(Buffer.concat([frame(254, -150), frame(255, -140), frame(1, -130)]));
    await waitFor("3 packets", () => stored(station).length === 3);
    // The node field names the mote; the u8 counter wraps at 256 (one packet lost: 0).
    expect(station.mote(42)).toMatchObject({ packets: 3, lost: 1, messages: { WeatherMsg: 3 } });
    expect(station.mote(42)!.latest).toMatchObject({
      temperature: { value: -130, unit: "cC" },
      humidity: { value: 55, unit: "%RH" },
      "wind[0]": { value: 3, unit: "m/s" },
      "wind[1]": { value: 4, unit: "m/s" },
    });
    await expect(catalogFrom([path.join(import.meta.dirname, "fixtures/basestation/support.ts")])).rejects.toThrow(/exports no message declarations/);
    expect(() => new MessageCatalog().addAll([WeatherMsg], [{ message: "WeatherMsg", seqField: "wind" }])).toThrow(/seqField `wind' is not a scalar/);
  });
});
