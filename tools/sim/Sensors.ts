/**
 * Where simulated sensor readings come from: a function of time and the
 * mote (its id and position), or a CSV trace.
 *
 * A CSV trace has a header line and one row per sample, time in seconds
 * first: `time,value` gives every mote the same reading; `time,0,1,2`
 * gives each listed node id its own column (a mote with no column reads
 * the first). Between samples the value is interpolated linearly; before
 * the first and after the last it holds.
 */
import { readFileSync } from "node:fs";

/** What a sensor function knows about the mote reading it. */
export interface SensorMote {
  readonly nodeId: number;
  /** Metres. */
  readonly position: { readonly x: number; readonly y: number };
}

/** A reading at virtual time `timeS` (seconds) on `mote`. */
export type SensorFunction = (timeS: number, mote: SensorMote) => number;

export class SensorTraceError extends Error {}

export function sensorFromCsv(text: string, name = "sensor trace"): SensorFunction {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l !== "" && !l.startsWith("#"));
  if (headerAt < 0) throw new SensorTraceError(`${name}: empty`);
  const header = lines[headerAt]!.split(",").map((h) => h.trim());
  if (header.length < 2) throw new SensorTraceError(`${name}:${headerAt + 1}: expected a header like "time,value" or "time,0,1,2"`);
  const columns = header.slice(1);
  const perNode = columns.every((c) => /^\d+$/.test(c));
  const times: number[] = [];
  const values: number[][] = columns.map(() => []);
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "" || line.startsWith("#")) continue;
    const cells = line.split(",").map((c) => c.trim());
    const nums = cells.map(Number);
    if (cells.length !== header.length || nums.some((n, k) => cells[k] === "" || !Number.isFinite(n))) {
      throw new SensorTraceError(`${name}:${i + 1}: expected ${header.length} numbers, got ${JSON.stringify(line)}`);
    }
    if (times.length > 0 && nums[0]! < times[times.length - 1]!) {
      throw new SensorTraceError(`${name}:${i + 1}: time goes backwards`);
    }
    times.push(nums[0]!);
    for (let k = 0; k < columns.length; k++) values[k]!.push(nums[k + 1]!);
  }
  if (times.length === 0) throw new SensorTraceError(`${name}: no samples`);
  const columnOf = new Map<number, number>();
  if (perNode) columns.forEach((c, k) => columnOf.set(Number(c), k));
  return (t, mote) => {
    const v = values[columnOf.get(mote.nodeId) ?? 0]!;
    if (t <= times[0]!) return v[0]!;
    const n = times.length;
    if (t >= times[n - 1]!) return v[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= t) lo = mid;
      else hi = mid;
    }
    const span = times[hi]! - times[lo]!;
    return span === 0 ? v[hi]! : v[lo]! + ((v[hi]! - v[lo]!) * (t - times[lo]!)) / span;
  };
}

/** A CSV trace from a file; errors name the file (and line). */
export function sensorFromCsvFile(file: string): SensorFunction {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new SensorTraceError(`${file}: cannot read the sensor trace: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return sensorFromCsv(text, file);
}
