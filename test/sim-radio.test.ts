import { describe, expect, it } from "vitest";
import { airBytes, prrFromSnr, snrForPrr, SYNC_HEADER_BYTES, US_PER_BYTE } from "../tools/sim/Channel.ts";
import { parseLayout, parseTopology, TopologyError } from "../tools/sim/Topology.ts";
import { World, type WorldOptions } from "../tools/sim/World.ts";
import { imageOf } from "./support.ts";

const BROADCASTER = "test/fixtures/sim/BroadcasterAppC.ts";
const BEACON = "test/fixtures/sim/BeaconProbeAppC.ts";
const UNICAST = "test/fixtures/sim/UnicastAppC.ts";
const LISTENER = "test/fixtures/sim/ListenerAppC.ts";

interface RxLine {
  t: number;
  ev: string;
  src: number;
  dst: number;
  addr: number;
  type: number;
  len: number;
  result: string;
  rssi: number;
  snr: number;
  try?: number;
}

const FRAME = 7 + 20; // the probes' frames: AM header and 20 bytes
const CHECKED = airBytes(FRAME) - SYNC_HEADER_BYTES;

describe("the channel model", () => {
  it("reception ratio rises with SNR, steeply, and shorter frames fare better", () => {
    expect(prrFromSnr(-10, CHECKED)).toBe(0);
    expect(prrFromSnr(12, CHECKED)).toBe(1);
    expect(prrFromSnr(4, CHECKED)).toBeLessThan(prrFromSnr(5, CHECKED));
    expect(prrFromSnr(5, 10)).toBeGreaterThan(prrFromSnr(5, 100));
    const snr = snrForPrr(0.5, CHECKED);
    expect(prrFromSnr(snr, CHECKED)).toBeCloseTo(0.5, 6);
  });

  it("a link with 50% reception delivers 50% ± 2% of 10,000 packets", async () => {
    const world = new World({ seed: 11, radio: { noiseStdDb: 0 } });
    world.addMote({ id: 0, image: await imageOf(BROADCASTER), bootAtMs: 0 });
    world.addMote({ id: 1, image: await imageOf(LISTENER), bootAtMs: 0 });
    world.setGain(0, 1, world.medium.options.noiseMeanDbm + snrForPrr(0.5, CHECKED));
    const sender = world.mote(0).counters;
    const receiver = world.mote(1).counters;
    expect(world.runUntilCondition(() => receiver.received + receiver.lost === 10_000, 300_000)).toBe(true);
    world.turnOff(0);
    world.runFor(1000); // the listener reports its count
    expect(sender.transmissions).toBe(10_000);
    expect(receiver.collided).toBe(0);
    expect(receiver.received / 10_000).toBeGreaterThanOrEqual(0.48);
    expect(receiver.received / 10_000).toBeLessThanOrEqual(0.52);
    expect(world.mote(1).variable("received")).toBe(String(receiver.received)); // the image got each one
  });

  it("frames take their air time at 250 kbit/s", async () => {
    const lines: RxLine[] = [];
    const world = new World({ trace: (l) => lines.push(JSON.parse(l) as RxLine) });
    world.addMote({ id: 0, image: await imageOf(BEACON), bootAtMs: 0 });
    world.addMote({ id: 1, image: await imageOf(LISTENER), bootAtMs: 0 });
    world.setGain(0, 1, -50);
    world.runUntil(3500);
    const tx = lines.filter((l) => l.ev === "tx");
    const rx = lines.filter((l) => l.ev === "rx");
    expect(tx).toHaveLength(3);
    expect(rx.map((l) => l.result)).toEqual(["delivered", "delivered", "delivered"]);
    for (let i = 0; i < 3; i++) {
      expect(Math.round((rx[i]!.t - tx[i]!.t) * 1e6)).toBe((11 + FRAME) * US_PER_BYTE);
      expect(rx[i]).toMatchObject({ src: 0, dst: 1, addr: 0xffff, type: 0x42, len: 20, rssi: -50 });
    }
  });
});

describe("collisions and the MAC", () => {
  async function hiddenTerminals(options: WorldOptions, hearEachOther: boolean) {
    const lines: RxLine[] = [];
    const world = new World({ seed: 5, ...options, trace: (l) => lines.push(JSON.parse(l) as RxLine) });
    world.addMote({ id: 0, image: await imageOf(UNICAST), bootAtMs: 0 });
    world.addMote({ id: 1, image: await imageOf(LISTENER), bootAtMs: 0 });
    world.addMote({ id: 2, image: await imageOf(UNICAST), bootAtMs: 0 });
    world.setLink(0, 1, -60);
    world.setLink(2, 1, -60);
    if (hearEachOther) world.setLink(0, 2, -60);
    world.runUntil(20_000); // 500 sends each, every 40 ms, at the same instants
    return { world, lines };
  }

  it("hidden terminals collide at the receiver; without retries the senders lose packets", async () => {
    const { world, lines } = await hiddenTerminals({ radio: { maxRetries: 0 } }, false);
    const receiver = world.mote(1).counters;
    expect(receiver.collided).toBeGreaterThan(20);
    expect(lines.some((l) => l.ev === "rx" && l.result === "collided")).toBe(true);
    for (const id of [0, 2]) {
      const c = world.mote(id).counters;
      expect(c.noAck).toBeGreaterThan(10);
      expect(c.retries).toBe(0);
    }
  });

  it("acknowledgements and retries recover: (nearly) every send is acknowledged, each packet delivered once", async () => {
    const without = await hiddenTerminals({ radio: { maxRetries: 0 } }, false);
    const { world, lines } = await hiddenTerminals({}, false);
    const receiver = world.mote(1).counters;
    expect(receiver.collided).toBeGreaterThan(20); // first tries still collide
    let acked = 0;
    let sent = 0;
    for (const id of [0, 2]) {
      const c = world.mote(id).counters;
      const noRetries = without.world.mote(id).counters;
      expect(c.retries).toBeGreaterThan(20);
      expect(c.sent).toBeGreaterThan(490); // a timer tick finding the previous send still retrying skips
      expect(c.acked + c.noAck).toBeGreaterThanOrEqual(c.sent - 1); // the last may still be under way
      expect(c.acked).toBeGreaterThanOrEqual(0.98 * c.sent); // four tries in a row may still collide (~0.3^4)
      expect(c.noAck).toBeLessThan(noRetries.noAck / 10);
      acked += c.acked;
      sent += c.sent;
    }
    // A retry whose first try got through but whose acknowledgement was lost is dropped as a duplicate.
    expect(receiver.received).toBeGreaterThanOrEqual(acked);
    expect(receiver.received).toBeLessThanOrEqual(sent);
    expect(lines.filter((l) => l.ev === "ack" && l.result === "delivered").length).toBeGreaterThanOrEqual(acked);
  });

  it("carrier sense avoids collisions between motes that hear each other", async () => {
    const hidden = await hiddenTerminals({}, false);
    const visible = await hiddenTerminals({}, true);
    expect(visible.world.mote(1).counters.collided).toBeLessThan(hidden.world.mote(1).counters.collided / 4);
    expect(visible.world.mote(0).counters.ccaBusy + visible.world.mote(2).counters.ccaBusy).toBeGreaterThan(20);
  });

  it("the stronger frame captures the receiver; the weaker one is the collision", async () => {
    const lines: RxLine[] = [];
    const world = new World({ seed: 9, trace: (l) => lines.push(JSON.parse(l) as RxLine) });
    world.addMote({ id: 0, image: await imageOf(BROADCASTER), bootAtMs: 0 });
    world.addMote({ id: 1, image: await imageOf(LISTENER), bootAtMs: 0 });
    world.addMote({ id: 2, image: await imageOf(BROADCASTER), bootAtMs: 0 });
    world.setGain(0, 1, -60); // strong
    world.setGain(2, 1, -80); // weak, but fine alone (SNR 18 dB)
    world.runUntil(10_000);
    const at1 = lines.filter((l) => l.ev === "rx" && l.dst === 1);
    const strong = at1.filter((l) => l.src === 0);
    const weak = at1.filter((l) => l.src === 2);
    expect(weak.filter((l) => l.result === "collided").length).toBeGreaterThan(20);
    expect(strong.every((l) => l.result === "delivered")).toBe(true);
    expect(weak.filter((l) => l.result === "delivered").length).toBeGreaterThan(weak.length / 2);
  });

  it("a unicast nobody acknowledges is retried, then reported unacknowledged", async () => {
    const world = new World();
    world.addMote({ id: 0, image: await imageOf(UNICAST), bootAtMs: 0 });
    world.addMote({ id: 1, image: await imageOf(LISTENER), bootAtMs: 0 });
    world.runUntil(1010); // no link at all: 25 sends, 4 tries each
    const c = world.mote(0).counters;
    expect(c.acked).toBe(0);
    expect(c.noAck).toBeGreaterThanOrEqual(20);
    expect(c.transmissions).toBeGreaterThanOrEqual(c.noAck * 4);
    expect(world.mote(1).counters.lost).toBe(c.transmissions);
  });

  it("a script can change gains while running", async () => {
    const world = new World();
    world.addMote({ id: 0, image: await imageOf(BEACON), bootAtMs: 0 });
    world.addMote({ id: 1, image: await imageOf(LISTENER), bootAtMs: 0 });
    world.setGain(0, 1, -60);
    world.at(3500, () => world.setGain(0, 1, undefined));
    world.at(6500, () => world.setGain(0, 1, -70));
    world.runUntil(9500);
    expect(world.mote(1).counters.received).toBe(3 + 3); // 1..3 s and 7..9 s
    expect(world.gain(0, 1)).toBe(-70);
  });
});

describe("topologies", () => {
  it("reads TOSSIM's gain and noise lines", async () => {
    const topo = parseTopology("# a comment\ngain 0 1 -60.5\n\ngain 1 0 -62\nnoise 0 -98 2.5\nnoise 1 -100 0\n", "two.txt");
    expect(topo.gains).toEqual([
      { src: 0, dst: 1, dbm: -60.5, line: 2 },
      { src: 1, dst: 0, dbm: -62, line: 4 },
    ]);
    expect(topo.noise[1]).toEqual({ node: 1, meanDbm: -100, stdDb: 0, line: 6 });
    const world = new World();
    world.addMote({ id: 0, image: await imageOf(BEACON), bootAtMs: 0 });
    world.addMote({ id: 1, image: await imageOf(LISTENER), bootAtMs: 0 });
    world.applyTopology(topo);
    expect(world.gain(0, 1)).toBe(-60.5);
    world.runUntil(2500);
    expect(world.mote(1).counters.received).toBe(2);
    // A noise line raises a mote's floor: half a dB below the signal, mote 1 hears the frames but gets none.
    expect(prrFromSnr(0.5, CHECKED)).toBeLessThan(1e-6);
    world.applyTopology(parseTopology("noise 1 -61 0\n", "loud.txt"));
    world.runUntil(5500);
    expect(world.mote(1).counters.received).toBe(2);
    expect(world.mote(1).counters.lost).toBe(3);
  });

  it("refuses a topology file with a bad line, naming the line", () => {
    expect(() => parseTopology("gain 0 1 -60\nnoise 1 -98 2\ngain 1 x -60\n", "net.txt")).toThrow(
      /^net\.txt:3: dst must be a node id 0\.\.65534: "gain 1 x -60"$/,
    );
    // 65535 is the broadcast address: World.addMote could not make that mote.
    expect(() => parseTopology("gain 0 1 -60\ngain 65535 0 -60\n", "net.txt")).toThrow(
      /^net\.txt:2: src must be a node id 0\.\.65534 \(65535 is the broadcast address\): "gain 65535 0 -60"$/,
    );
    expect(() => parseTopology("noise 70000 -98 1\n", "net.txt")).toThrow(/^net\.txt:1: node must be a node id 0\.\.65534: /);
    expect(parseTopology("gain 65534 0 -60\n").maxNode).toBe(65534);
    expect(() => parseTopology("gain 0 1 -60\nlink 0 1\n", "net.txt")).toThrow(/net\.txt:2: expected a "gain/);
    expect(() => parseTopology("gain 0 1\n", "net.txt")).toThrow(/net\.txt:1: expected "gain <src> <dst> <dBm>"/);
    expect(() => parseTopology("noise 4 -98 -1\n", "net.txt")).toThrow(TopologyError);
  });

  it("applies only the lines about motes the world has, and returns the others", async () => {
    const topo = parseTopology("gain 0 1 -60\ngain 1 7 -60\ngain 9 0 -60\nnoise 1 -95 1\nnoise 7 -95 1\n", "net.txt");
    const world = new World();
    world.addMotes(2, await imageOf(LISTENER));
    expect(world.applyTopology(topo)).toEqual({ lines: [2, 3, 5], motes: [7, 9] });
    expect(world.gain(0, 1)).toBe(-60);
    expect(world.medium.linkCount()).toBe(1);
    expect(world.medium.radios[1]!.noiseMeanDbm).toBe(-95);
    expect(world.applyTopology(parseTopology("gain 1 0 -61\n"))).toEqual({ lines: [], motes: [] });
  });

  it("places grid:WxH,spacing= and random:N,area= motes where the layout says", async () => {
    const image = await imageOf(LISTENER);
    const grid = new World();
    grid.addMotes(8, image);
    grid.placeMotes("grid:4x2,spacing=5");
    expect(grid.motes.map((m) => [m.position.x, m.position.y])).toEqual([
      [0, 0], [5, 0], [10, 0], [15, 0],
      [0, 5], [5, 5], [10, 5], [15, 5],
    ]);
    // Fewer motes than places fill the first places, row by row.
    const part = new World();
    part.addMotes(3, image);
    part.placeMotes("grid:2x2,spacing=7");
    expect(part.motes.map((m) => [m.position.x, m.position.y])).toEqual([[0, 0], [7, 0], [0, 7]]);
    const random = (seed: number) => {
      const w = new World({ seed });
      w.addMotes(200, image);
      w.placeMotes("random:200,area=100x50");
      return w.motes.map((m) => m.position);
    };
    const r = random(4);
    expect(r.every((p) => p.x >= 0 && p.x < 100 && p.y >= 0 && p.y < 50)).toBe(true);
    // Uniform over the area: each half of it holds about half the motes.
    expect(r.filter((p) => p.x < 50).length).toBeGreaterThan(70);
    expect(r.filter((p) => p.x >= 50).length).toBeGreaterThan(70);
    expect(r.filter((p) => p.y < 25).length).toBeGreaterThan(70);
    expect(r.filter((p) => p.y >= 25).length).toBeGreaterThan(70);
    expect(random(4)).toEqual(r);
    expect(random(5)).not.toEqual(r);
    // Without an area, random:N spreads motes at the default grid's density (15 m apart): a square of 15·√N.
    const d = new World();
    d.addMotes(100, image);
    d.placeMotes("random:100");
    expect(Math.max(...d.motes.map((m) => m.position.x))).toBeLessThan(150);
    expect(Math.max(...d.motes.map((m) => m.position.x))).toBeGreaterThan(120);
  });

  it("gains follow log-distance path loss, 55 + 30·log10(d) dB, plus 4 dB log-normal shadowing per direction", async () => {
    const image = await imageOf(LISTENER);
    const line = [{ x: 0, y: 0 }, { x: 0.5, y: 0 }, { x: 10, y: 0 }, { x: 30, y: 0 }, { x: 100, y: 0 }];
    const exact = new World();
    exact.addMotes(5, image);
    exact.placeMotes(line, { shadowingStdDb: 0 });
    expect(exact.gain(0, 1)).toBeCloseTo(-55, 9); // closer than the 1 m reference: the reference loss
    expect(exact.gain(0, 2)).toBeCloseTo(-85, 9);
    expect(exact.gain(2, 0)).toBeCloseTo(-85, 9);
    expect(exact.gain(2, 3)).toBeCloseTo(-(55 + 30 * Math.log10(20)), 9); // -94.0 dBm
    // Links below the -98 dBm noise floor are left out: 0-3 (30 m, -99.3 dBm), 1-3, anything to 4 (70 m or more).
    expect(exact.gain(0, 3)).toBeUndefined();
    expect(exact.gain(3, 4)).toBeUndefined();
    expect(exact.medium.linkCount()).toBe(6 + 2); // 0, 1, 2 both ways; 2-3 both ways
    // Shadowing: the same link differs by direction, from the seed, and is N(0, 4 dB) over many links.
    const ring = Array.from({ length: 40 }, (_, i) => ({ x: 3 * Math.cos(i / 6.4), y: 3 * Math.sin(i / 6.4) }));
    const shadowed = new World({ seed: 8 });
    shadowed.addMotes(40, image);
    shadowed.placeMotes(ring);
    const residuals: number[] = [];
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 40; j++) {
        if (i === j) continue;
        const d = Math.max(1, Math.hypot(ring[i]!.x - ring[j]!.x, ring[i]!.y - ring[j]!.y));
        residuals.push(shadowed.gain(i, j)! + 55 + 30 * Math.log10(d));
      }
    }
    // Each direction of a link draws its own shadowing: nearly every pair differs.
    const asymmetric = ring.flatMap((_, i) => ring.map((__, j) => i < j && shadowed.gain(i, j) !== shadowed.gain(j, i))).filter(Boolean).length;
    expect(asymmetric).toBeGreaterThan(0.95 * ((40 * 39) / 2));
    // The seed decides it: the same seed gives the same gains, another seed others.
    const again = new World({ seed: 8 });
    again.addMotes(40, image);
    again.placeMotes(ring);
    const other = new World({ seed: 9 });
    other.addMotes(40, image);
    other.placeMotes(ring);
    expect(again.gain(3, 17)).toBe(shadowed.gain(3, 17));
    expect(other.gain(3, 17)).not.toBe(shadowed.gain(3, 17));
    const mean = residuals.reduce((a, b) => a + b, 0) / residuals.length;
    const std = Math.sqrt(residuals.reduce((a, b) => a + (b - mean) ** 2, 0) / residuals.length);
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect(std).toBeGreaterThan(3.7);
    expect(std).toBeLessThan(4.3);
    expect(shadowed.gain(0, 1)).not.toBeCloseTo(shadowed.gain(1, 0)!, 3);
  });

  it("generates grids and random layouts with path loss and shadowing, the same for the same seed", async () => {
    expect(parseLayout("grid:32x32")).toMatchObject({ kind: "grid", count: 1024, columns: 32, spacing: 15 });
    expect(parseLayout("grid:4x2,spacing=5")).toMatchObject({ count: 8, spacing: 5 });
    expect(parseLayout("random:200,area=100x50")).toMatchObject({ kind: "random", count: 200, width: 100, height: 50 });
    expect(parseLayout("net.txt")).toBeUndefined();
    expect(() => parseLayout("grid:ax3")).toThrow(/grid:<columns>x<rows>/);
    const image = await imageOf(LISTENER);
    const gains = (seed: number, layout: string) => {
      const world = new World({ seed });
      world.addMotes(100, image);
      world.placeMotes(layout);
      return { world, links: [...world.medium.gains.entries()] };
    };
    const a = gains(1, "grid:10x10");
    expect(a.links).toEqual(gains(1, "grid:10x10").links);
    expect(a.links).not.toEqual(gains(2, "grid:10x10").links);
    expect(a.world.mote(11).position).toEqual({ x: 15, y: 15 });
    // Every mote has its grid neighbours (15 m) in its list; nobody 60 m away.
    const perMote = a.world.medium.linkCount() / 100;
    expect(perMote).toBeGreaterThan(4);
    expect(perMote).toBeLessThan(20);
    expect(a.world.gain(0, 40)).toBeUndefined();
    const r = gains(3, "random:100");
    expect(new Set(r.world.motes.map((m) => `${m.position.x},${m.position.y}`)).size).toBe(100);
    expect(() => gains(1, "grid:5x5")).toThrow(/25 places for 100 motes/);
  });
});
