/**
 * Where motes are and how well they hear each other: TOSSIM topology files
 * (`gain src dst g`, `noise n avg std`), or generated layouts (`grid:WxH`,
 * `random:N`) with log-distance path loss and log-normal shadowing.
 */
import { readFileSync } from "node:fs";
import { BROADCAST } from "./Radio.ts";
import { hashGaussian } from "./Random.ts";

export interface Position {
  readonly x: number;
  readonly y: number;
}

/** One directed link: the signal `dst` receives from `src`, in dBm (TOSSIM's gain). */
export interface GainLine {
  readonly src: number;
  readonly dst: number;
  readonly dbm: number;
  readonly line: number;
}

/** A mote's noise floor: mean in dBm and standard deviation in dB. */
export interface NoiseLine {
  readonly node: number;
  readonly meanDbm: number;
  readonly stdDb: number;
  readonly line: number;
}

export interface TopologyFile {
  readonly gains: readonly GainLine[];
  readonly noise: readonly NoiseLine[];
  /** The highest node id the file mentions, or -1. */
  readonly maxNode: number;
}

/** A topology file line we cannot read; the message names the file and line. */
export class TopologyError extends Error {}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const NODE = /^\d+$/;

/**
 * Reads a TOSSIM topology: `gain <src> <dst> <dBm>` and `noise <node> <mean dBm> <std dB>`
 * lines; blank lines and `#` or `%` comments are ignored. Anything else is
 * refused, naming the line.
 */
export function parseTopology(text: string, name = "topology"): TopologyFile {
  const gains: GainLine[] = [];
  const noise: NoiseLine[] = [];
  let maxNode = -1;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.replace(/[#%].*$/, "").trim();
    if (line === "") continue;
    const words = line.split(/\s+/);
    const fail = (why: string): never => {
      throw new TopologyError(`${name}:${i + 1}: ${why}: ${JSON.stringify(raw.trim())}`);
    };
    const node = (w: string | undefined, what: string) => {
      // Below AM_BROADCAST_ADDR, which no mote can have (World.addMote refuses it too).
      if (w === undefined || !NODE.test(w) || Number(w) >= BROADCAST) {
        fail(`${what} must be a node id 0..${BROADCAST - 1}${Number(w) === BROADCAST ? ` (${BROADCAST} is the broadcast address)` : ""}`);
      }
      return Number(w);
    };
    const num = (w: string | undefined, what: string) => {
      if (w === undefined || !NUMBER.test(w)) fail(`${what} must be a number`);
      return Number(w);
    };
    if (words[0] === "gain") {
      if (words.length !== 4) fail(`expected "gain <src> <dst> <dBm>"`);
      const src = node(words[1], "src");
      const dst = node(words[2], "dst");
      gains.push({ src, dst, dbm: num(words[3], "gain"), line: i + 1 });
      maxNode = Math.max(maxNode, src, dst);
    } else if (words[0] === "noise") {
      if (words.length !== 4) fail(`expected "noise <node> <mean dBm> <std dB>"`);
      const n = node(words[1], "node");
      const stdDb = num(words[3], "std");
      if (stdDb < 0) fail("std must not be negative");
      noise.push({ node: n, meanDbm: num(words[2], "mean"), stdDb, line: i + 1 });
      maxNode = Math.max(maxNode, n);
    } else {
      fail(`expected a "gain <src> <dst> <dBm>" or "noise <node> <mean dBm> <std dB>" line`);
    }
  }
  return { gains, noise, maxNode };
}

export function readTopologyFile(file: string): TopologyFile {
  return parseTopology(readFileSync(file, "utf8"), file);
}

/** Log-distance path loss with log-normal shadowing (the model TOSSIM's LinkLayerModel uses). */
export interface PathLossModel {
  /** Transmit power, dBm (CC2420 at full power: 0). */
  readonly txPowerDbm: number;
  /** Path loss at the reference distance, dB. */
  readonly referenceLossDb: number;
  /** Reference distance, m. */
  readonly referenceDistanceM: number;
  /** Path loss exponent. */
  readonly exponent: number;
  /** Standard deviation of the shadowing, dB (independent per direction of a link). */
  readonly shadowingStdDb: number;
}

export const DEFAULT_PATH_LOSS: PathLossModel = {
  txPowerDbm: 0,
  referenceLossDb: 55,
  referenceDistanceM: 1,
  exponent: 3,
  shadowingStdDb: 4,
};

/** Default distance between grid neighbours, m: a 4-neighbour grid with good links to the nearest motes. */
export const DEFAULT_SPACING_M = 15;

/** A generated layout, from `grid:WxH[,spacing=m]` or `random:N[,area=WxH]`. */
export interface LayoutSpec {
  readonly kind: "grid" | "random";
  readonly count: number;
  readonly columns: number;
  readonly spacing: number;
  readonly width: number;
  readonly height: number;
}

/** Parses `grid:WxH[,spacing=S]` or `random:N[,area=WxH]`; undefined if `spec` is neither (a file name). */
export function parseLayout(spec: string): LayoutSpec | undefined {
  const m = /^(grid|random):(.*)$/.exec(spec);
  if (!m) return undefined;
  const [head, ...options] = m[2]!.split(",");
  const opts = new Map<string, string>();
  for (const o of options) {
    const [k, v] = o.split("=");
    if (!k || v === undefined) throw new TopologyError(`${spec}: expected key=value after the comma, got "${o}"`);
    opts.set(k.trim(), v.trim());
  }
  const positive = (v: string, what: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new TopologyError(`${spec}: ${what} must be a positive number, got "${v}"`);
    return n;
  };
  const spacing = opts.has("spacing") ? positive(opts.get("spacing")!, "spacing") : DEFAULT_SPACING_M;
  for (const k of opts.keys()) {
    if (k !== "spacing" && k !== "area") throw new TopologyError(`${spec}: unknown option "${k}" (spacing, area)`);
  }
  if (m[1] === "grid") {
    const g = /^(\d+)x(\d+)$/.exec(head!.trim());
    if (!g || Number(g[1]) < 1 || Number(g[2]) < 1) throw new TopologyError(`${spec}: expected grid:<columns>x<rows>, e.g. grid:10x10`);
    const columns = Number(g[1]);
    const rows = Number(g[2]);
    return { kind: "grid", count: columns * rows, columns, spacing, width: (columns - 1) * spacing, height: (rows - 1) * spacing };
  }
  const n = Number(head);
  if (!Number.isInteger(n) || n < 1) throw new TopologyError(`${spec}: expected random:<motes>, e.g. random:200`);
  let width = spacing * Math.sqrt(n);
  let height = width;
  if (opts.has("area")) {
    const a = /^([\d.]+)x([\d.]+)$/.exec(opts.get("area")!);
    if (!a) throw new TopologyError(`${spec}: area must be <width>x<height> in metres, e.g. area=200x200`);
    width = positive(a[1]!, "area width");
    height = positive(a[2]!, "area height");
  }
  return { kind: "random", count: n, columns: 0, spacing, width, height };
}

/** The positions of a layout; random layouts are drawn from `next` (uniform in [0, 1)). */
export function layoutPositions(spec: LayoutSpec, next: () => number): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < spec.count; i++) {
    if (spec.kind === "grid") out.push({ x: (i % spec.columns) * spec.spacing, y: Math.floor(i / spec.columns) * spec.spacing });
    else out.push({ x: next() * spec.width, y: next() * spec.height });
  }
  return out;
}

/**
 * Calls `emit(i, j, dBm)` for every ordered pair of positions whose received
 * signal is at least `thresholdDbm`. Shadowing is a hash of (seed, i, j), so
 * a link's gain does not depend on the order links are generated in. Pairs
 * too far apart to reach the threshold even with three standard deviations
 * of shadowing are never looked at (a spatial hash finds the candidates).
 */
export function pathLossGains(
  positions: readonly Position[],
  model: PathLossModel,
  seed: number,
  thresholdDbm: number,
  emit: (i: number, j: number, dbm: number) => void,
): void {
  const n = positions.length;
  if (n === 0) return;
  const budget = model.txPowerDbm - model.referenceLossDb - thresholdDbm + 3 * model.shadowingStdDb;
  const maxRange = model.referenceDistanceM * Math.pow(10, budget / (10 * model.exponent));
  const cell = Math.max(maxRange, 1e-9);
  let minX = Infinity;
  let minY = Infinity;
  for (const p of positions) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
  }
  const buckets = new Map<number, number[]>();
  const key = (cx: number, cy: number) => cx * 1_000_003 + cy;
  const cx = new Int32Array(n);
  const cy = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    cx[i] = Math.floor((positions[i]!.x - minX) / cell);
    cy[i] = Math.floor((positions[i]!.y - minY) / cell);
    const k = key(cx[i]!, cy[i]!);
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = []));
    b.push(i);
  }
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    candidates.length = 0;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const b = buckets.get(key(cx[i]! + dx, cy[i]! + dy));
        if (b) for (const j of b) candidates.push(j);
      }
    }
    candidates.sort((a, b) => a - b);
    const pi = positions[i]!;
    for (const j of candidates) {
      if (j === i) continue;
      const pj = positions[j]!;
      const d = Math.max(Math.hypot(pi.x - pj.x, pi.y - pj.y), model.referenceDistanceM);
      if (d > maxRange) continue;
      const loss = model.referenceLossDb + 10 * model.exponent * Math.log10(d / model.referenceDistanceM);
      const dbm = model.txPowerDbm - loss + model.shadowingStdDb * hashGaussian(seed, i, j);
      if (dbm >= thresholdDbm) emit(i, j, dbm);
    }
  }
}
