/**
 * Base station benchmarks. The base station runs as `mote basestation`
 * (a child process, the real CLI) reading a socat pseudo-terminal through
 * the serialport package; this process plays the outside world: it writes
 * Oscilloscope frames into the pty's mote end and listens to the
 * dashboard's event stream (/api/events) as a browser would.
 *
 * - basestation_ingest_readings_per_s: 50,000 frames (500,000 readings)
 *   written as fast as the pty takes them; from the first byte written to
 *   the moment /api/stats reports every reading committed to SQLite (WAL,
 *   indexes on (mote, field, time) and time).
 * - basestation_latency_p99_ms: frames at 1,000 per second, each carrying
 *   its send time (µs) in its readings; the latency of a frame is from just
 *   before its bytes are written to the pty to the SSE event holding its
 *   readings arriving here (same process, same clock).
 * - basestation_rss_growth_mb_per_h: frames at 200 per second with the
 *   event stream connected, for MOTE_BENCH_SOAK_SECONDS (default 480 s).
 *   After 180 s of warm-up (SQLite's 4 MB page cache, the WAL and its
 *   index grow to their limits first), every
 *   10 s the base station collects all its garbage (a probe preloaded with
 *   --expose-gc, on SIGUSR2) and then its resident set size
 *   (/proc/<pid>/status VmRSS) is read; the growth is the least-squares
 *   slope of those samples, times 3600 s. Sampling RSS
 *   without the collection measures V8's lazy heap growth instead: it
 *   climbs for minutes, drops at a major collection and climbs again, so a
 *   short soak's slope said anything from -30 to +560 MB/h. V8 also
 *   grows its young generation in steps as it learns the allocation rate
 *   (semi-spaces from 1 MB doubling to 16 MB: seen here as 3.5 MB after
 *   220 s, 6.4 MB more after 630 s), bounded, but read as tens of MB/h by
 *   a soak of minutes; so the soaked station starts with its young
 *   generation at that full size (--min-semi-space-size=16), and what the
 *   slope then shows is what keeps growing. The progress lines show the
 *   young generation's size to confirm it stays put.
 *   That flag holds for every V8 heap in the process, and the station has
 *   two besides the main one: the checkpointing thread's and the module
 *   loader's. A thread that allocates a few KB a second writes a 16 MB
 *   young generation page by page for an hour before collecting it (read
 *   as 15-20 MB/h, pages told apart by the heap named in V8's page
 *   headers). The checkpointer's young generation is capped at 2 MB and the
 *   loader stops esbuild's pinging child once loading is done, so each
 *   thread's young generation is small or idle as in production.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SerialPort } from "serialport";
import { OscilloscopeMsg } from "../tools/basestation/messages.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { encodeAmFrame, encodeMessage } from "../tools/serial/index.ts";

interface Result {
  key: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
  detail: string;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `mote basestation` on `port`, its HTTP server on a free port. */
async function startStation(
  port: string,
  db: string,
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; url: string; output: () => string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, "tools/cli/mote.js"), "basestation", "--port", port, "--db", db, "--http", "127.0.0.1:0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (!(url = /api\s+(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mote basestation did not start: ${out}`);
    await sleep(50);
  }
  for (;;) {
    const ports = (await (await fetch(`${url}/api/ports`)).json()) as { status: string }[];
    if (ports[0]?.status === "open") break;
    if (Date.now() > deadline) throw new Error(`the base station did not open ${port}: ${out}`);
    await sleep(50);
  }
  return {
    child,
    url,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function stats(url: string): Promise<{ storage: { packets: number; readings: number } }> {
  return (await (await fetch(`${url}/api/stats`)).json()) as { storage: { packets: number; readings: number } };
}

function openPort(p: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path: p, baudRate: 115200, autoOpen: false });
    port.open((e) => (e ? reject(e) : resolve(port)));
  });
}

const writeAll = (port: SerialPort, bytes: Uint8Array) =>
  new Promise<void>((resolve, reject) => port.write(Buffer.from(bytes), (e) => (e ? reject(e) : port.drain((e2) => (e2 ? reject(e2) : resolve())))));

/** Listens to /api/events; calls `onReadings` with each event's series. */
async function sse(url: string, onReadings: (series: { mote: number; points: [number, number][] }[], at: number) => void): Promise<() => void> {
  const controller = new AbortController();
  const r = await fetch(`${url}/api/events`, { signal: controller.signal });
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!block.startsWith("event: readings\n")) continue;
          const data = block.slice(block.indexOf("data: ") + 6);
          onReadings((JSON.parse(data) as { series: { mote: number; points: [number, number][] }[] }).series, at);
        }
      }
    } catch {
      // stopped
    }
  })();
  return () => controller.abort();
}

function frame(mote: number, count: number, readings: number[]): Uint8Array {
  return encodeAmFrame({ src: mote, type: 0x93, payload: encodeMessage(OscilloscopeMsg, { version: 1, interval: 100, id: mote, count: count & 0xffff, readings }) });
}

/** A frame whose readings carry `id` and a µs timestamp (so the receiver can tell when it was sent). */
function stampedFrame(mote: number, count: number, id: number, sentUs: number): Uint8Array {
  const r = [id & 0xffff, (id / 65536) & 0xffff, 0, 0, 0, 0, 0, 0, 0, 0];
  let t = sentUs;
  for (let k = 2; k < 6; k++) {
    r[k] = t % 65536;
    t = Math.floor(t / 65536);
  }
  return frame(mote, count, r);
}

async function ingest(progress: (m: string) => void, dir: string): Promise<Result> {
  const frames = 50_000;
  const link = await PtyLink.open({ dir: path.join(dir, "ingest") });
  const station = await startStation(link.host, path.join(dir, "ingest.sqlite"));
  try {
    const parts: Uint8Array[] = [];
    const counts = new Array<number>(25).fill(0);
    for (let k = 0; k < frames; k++) {
      const m = k % 25;
      const readings = Array.from({ length: 10 }, (_, i) => (k * 7 + i * 13) & 0xfff);
      parts.push(frame(m + 1, counts[m]!++, readings));
    }
    const bytes = Buffer.concat(parts);
    progress(`basestation: ingest of ${frames.toLocaleString("en")} frames (${(bytes.length / 1e6).toFixed(1)} MB) through a pty into SQLite`);
    const port = await openPort(link.mote);
    const t0 = performance.now();
    const writing = (async () => {
      for (let at = 0; at < bytes.length; at += 65536) await writeAll(port, bytes.subarray(at, at + 65536));
    })();
    let s = await stats(station.url);
    while (s.storage.readings < frames * 10) {
      if (performance.now() - t0 > 120_000) throw new Error(`ingest stalled at ${s.storage.readings} readings`);
      await sleep(25);
      s = await stats(station.url);
    }
    const seconds = (performance.now() - t0) / 1000;
    await writing;
    await new Promise<void>((r) => port.close(() => r()));
    const rate = (frames * 10) / seconds;
    return {
      key: "basestation_ingest_readings_per_s",
      value: Math.round(rate),
      unit: "readings/s",
      target: ">= 50000",
      met: rate >= 50_000,
      detail: `${frames.toLocaleString("en")} Oscilloscope frames (${(frames / seconds).toFixed(0)} frames/s, 10 readings each) from a socat pty through serialport, deframe, CRC, decode and sequence checks into SQLite (WAL, batched transactions, 3 indexes), all ${s.storage.packets.toLocaleString("en")} packets stored; mote basestation as a child process`,
    };
  } finally {
    await station.stop();
    await link.close();
  }
}

async function latency(progress: (m: string) => void, dir: string): Promise<Result> {
  const link = await PtyLink.open({ dir: path.join(dir, "latency") });
  const station = await startStation(link.host, path.join(dir, "latency.sqlite"));
  const rate = 1000;
  const seconds = 8;
  const warmup = 1000;
  progress(`basestation: latency from serial bytes to the dashboard's event stream at ${rate} frames/s for ${seconds} s`);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const stopSse = await sse(station.url, (series, at) => {
    for (const s of series) {
      // Ten points per frame: [id lo, id hi, t0..t3, ...]
      for (let i = 0; i + 9 < s.points.length; i += 10) {
        const id = s.points[i]![1] + s.points[i + 1]![1] * 65536;
        const t0 = sentAt.get(id);
        if (t0 !== undefined) {
          if (id >= warmup) latencies.push(at - t0);
          if (process.env.LAT_DEBUG && at - t0 > 50) console.error('slow', id, (at - t0).toFixed(1));
          sentAt.delete(id);
        }
      }
    }
  });
  const port = await openPort(link.mote);
  try {
    const total = rate * seconds;
    const counts = new Array<number>(25).fill(0);
    const start = performance.now();
    let id = 0;
    while (id < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
      while (id < due) {
        const m = id % 25;
        const now = performance.now();
        sentAt.set(id, now);
        port.write(Buffer.from(stampedFrame(m + 1, counts[m]!++, id, Math.round((performance.timeOrigin + now) * 1000))));
        id++;
      }
      await sleep(1);
    }
    const deadline = performance.now() + 5000;
    while (latencies.length < total - warmup && performance.now() < deadline) await sleep(20);
  } finally {
    stopSse();
    await new Promise<void>((r) => port.close(() => r()));
    await station.stop();
    await link.close();
  }
  const got = latencies.length;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(got - 1, Math.floor(p * got))]!;
  const p99 = q(0.99);
  return {
    key: "basestation_latency_p99_ms",
    value: Number(p99.toFixed(1)),
    unit: "ms",
    target: "< 100",
    met: got === rate * seconds - warmup && p99 < 100,
    detail: `serial bytes written to the pty -> SSE event received, ${got.toLocaleString("en")} frames at ${rate}/s after ${warmup} warm-up; median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${latencies[got - 1]!.toFixed(1)} ms (readings are sent once their batch is committed; batches at most 10 ms apart, WAL checkpoints in a worker thread)`,
  };
}

/** Resident memory in MB: all of it (VmRSS), and its anonymous and file-backed parts. */
function rssMb(pid: number): { all: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { all: mb("VmRSS"), anon: mb("RssAnon"), file: mb("RssFile") };
}

/**
 * Preloaded into the soaked base station (bench instrumentation only; the
 * base station's code is unchanged): on SIGUSR2 a full garbage collection,
 * then the process's memory on stderr.
 */
const GC_PROBE = `import v8 from "node:v8";
const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
process.on("SIGUSR2", () => {
  // What the program allocated since the last collection: under the semi-space size, no scavenge came between probes.
  const allocated = young()?.space_used_size ?? 0;
  globalThis.gc();
  process.stderr.write("gc-probe " + JSON.stringify({ ...process.memoryUsage(), newSpace: young()?.space_size ?? 0, allocated }) + "\\n");
});
`;

/** Least-squares slope of y over t. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((a, [t]) => a + t, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  return points.reduce((a, [t, y]) => a + (t - mx) * (y - my), 0) / points.reduce((a, [t]) => a + (t - mx) ** 2, 0);
}

async function soak(progress: (m: string) => void, dir: string): Promise<Result> {
  const seconds = Number(process.env.MOTE_BENCH_SOAK_SECONDS ?? 480);
  // Long enough for SQLite's page cache (4 MB), the WAL and its index to reach their size: they grow to a limit first.
  const warmupS = Math.min(180, seconds / 2.5);
  const probeEveryS = 10;
  const rate = 200;
  const link = await PtyLink.open({ dir: path.join(dir, "soak") });
  const probe = path.join(dir, "gc-probe.mjs");
  writeFileSync(probe, GC_PROBE);
  const db = path.join(dir, "soak.sqlite");
  const walBytes = () => (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0);
  let walLargest = 0;
  const station = await startStation(link.host, db, ["--expose-gc", "--min-semi-space-size=16", "--import", pathToFileURL(probe).href]);
  progress(`basestation: soak at ${rate} frames/s for ${seconds} s with the event stream connected (MOTE_BENCH_SOAK_SECONDS to change)`);
  let events = 0;
  // MOTE_BENCH_SOAK_SSE=0 soaks without a dashboard connected (to tell what grows where).
  const stopSse = process.env.MOTE_BENCH_SOAK_SSE === "0" ? () => {} : await sse(station.url, () => events++);
  const port = await openPort(link.mote);
  // After warm-up, every probeEveryS: [s, RSS MB, V8 heap + external MB, anonymous RSS MB, file-backed RSS MB], each after a full collection.
  const afterGc: [number, number, number][] = [];
  // The main heap's young generation at each probe (V8's new space: both semi-spaces), to show it stayed put.
  const youngMb: number[] = [];
  let probes = 0;
  let sent = 0;
  try {
    const counts = new Array<number>(25).fill(0);
    const start = performance.now();
    let nextProbe = warmupS * 1000;
    while (performance.now() - start < seconds * 1000) {
      const elapsed = performance.now() - start;
      const due = Math.floor((elapsed * rate) / 1000);
      const chunk: Uint8Array[] = [];
      while (sent < due) {
        const m = sent % 25;
        chunk.push(frame(m + 1, counts[m]!++, Array.from({ length: 10 }, (_, i) => (sent + i) & 0xfff)));
        sent++;
      }
      if (chunk.length) port.write(Buffer.concat(chunk));
      walLargest = Math.max(walLargest, walBytes());
      if (elapsed >= nextProbe) {
        nextProbe += probeEveryS * 1000;
        station.child.kill("SIGUSR2");
        probes++;
        const deadline = performance.now() + 2000;
        let line: RegExpExecArray | null = null;
        while (performance.now() < deadline) {
          const all = [...station.output().matchAll(/gc-probe (\{.*\})/g)];
          if (all.length === probes) {
            line = all[probes - 1]!;
            break;
          }
          await sleep(10);
        }
        if (!line) throw new Error("soak: the base station did not answer the memory probe");
        const m = JSON.parse(line[1]!) as { heapUsed: number; heapTotal: number; external: number; newSpace: number; allocated: number };
        const rss = rssMb(station.child.pid!);
        afterGc.push([elapsed / 1000, rss.all, (m.heapUsed + m.external) / 2 ** 20]);
        youngMb.push(m.newSpace / 2 ** 20);
        progress(
          `basestation: soak ${(elapsed / 1000).toFixed(0)} s, after a full GC: RSS ${rss.all.toFixed(1)} MB ` +
            `(anonymous ${rss.anon.toFixed(1)}, files ${rss.file.toFixed(1)}), heap+external ${afterGc.at(-1)![2].toFixed(1)} MB, V8 heap reserved ${(m.heapTotal / 2 ** 20).toFixed(1)} MB (young generation ${(m.newSpace / 2 ** 20).toFixed(0)} MB, ${(m.allocated / 2 ** 20).toFixed(1)} MB allocated since the last probe)`,
        );
      }
      await sleep(5);
    }
    const s = await stats(station.url);
    if (s.storage.packets < sent * 0.99) throw new Error(`soak: only ${s.storage.packets} of ${sent} packets stored`);
  } finally {
    stopSse();
    await new Promise<void>((r) => port.close(() => r()));
    await station.stop();
    await link.close();
  }
  const n = afterGc.length;
  if (n < 3) throw new Error(`soak: ${n} memory probes; give MOTE_BENCH_SOAK_SECONDS of at least ${warmupS + 3 * probeEveryS}`);
  const perHour = slope(afterGc.map(([t, rss]) => [t, rss] as const)) * 3600;
  const heapPerHour = slope(afterGc.map(([t, , heap]) => [t, heap] as const)) * 3600;
  const youngRange = Math.min(...youngMb) === Math.max(...youngMb) ? `${youngMb[0]!.toFixed(0)}` : `${Math.min(...youngMb).toFixed(0)}..${Math.max(...youngMb).toFixed(0)} (it changed: the slope includes its growth)`;
  return {
    key: "basestation_rss_growth_mb_per_h",
    value: Number(perHour.toFixed(2)),
    unit: "MB/h",
    target: "< 10",
    met: perHour < 10,
    detail:
      `mote basestation soaked ${seconds} s at ${rate} frames/s (${sent.toLocaleString("en")} frames, ${events} SSE events); young generation ${youngRange} MB (semi-spaces at 16 MB from the start); after ${warmupS} s of warm-up, ` +
      `every ${probeEveryS} s a full GC then RSS (/proc VmRSS): least-squares slope of ${n} samples, extrapolated to an hour; ` +
      `RSS ${afterGc[0]![1].toFixed(1)} -> ${afterGc[n - 1]![1].toFixed(1)} MB, largest WAL seen (checked every 5 ms) ${(walLargest / 2 ** 20).toFixed(1)} MB, V8 heap + external ${afterGc[0]![2].toFixed(1)} -> ${afterGc[n - 1]![2].toFixed(1)} MB (${heapPerHour.toFixed(2)} MB/h)`,
  };
}

export async function basestationBenchmarks(progress: (m: string) => void): Promise<Result[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "mote-bench-bs-"));
  try {
    return [await ingest(progress, dir), await latency(progress, dir), await soak(progress, dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import ./tools/register.js bench/basestation.ts` runs this set alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const progress = (m: string) => process.stderr.write(`  ${m}\n`);
  // MOTE_BENCH_ONLY=soak runs the soak alone.
  let results: Result[];
  if (process.env.MOTE_BENCH_ONLY === "soak") {
    const dir = mkdtempSync(path.join(tmpdir(), "mote-bench-bs-"));
    try {
      results = [await soak(progress, dir)];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else results = await basestationBenchmarks(progress);
  for (const r of results) {
    console.log(`${r.key.padEnd(34)} ${String(r.value).padStart(10)} ${r.unit.padEnd(11)} ${r.target.padEnd(9)} ${r.met ? "yes" : "NO "}  ${r.detail}`);
  }
}
