/**
 * Collection (CTP) in the simulator: MultihopOscilloscopeAppC on a 10×10
 * grid whose links lose 10% of data frames, with CollectionC's debug events
 * on a "ctp" debug channel (test/fixtures/collection). Seeded: every run is
 * the same run.
 *
 * The radio's MAC does no retransmissions of its own here (`maxRetries: 0`),
 * as a CC2420 under TinyOS: CTP retransmits, and its link estimator sees
 * every transmission's acknowledgement. One test runs on the simulator's
 * default radio (3 MAC retransmissions) too.
 */
import { describe, expect, it } from "vitest";
import { MultihopOscilloscopeMsg } from "../components/apps/MultihopOscilloscopeMsg.ts";
import {
  AM_CTP_DATA,
  AM_CTP_ROUTING,
  CTP_DATA_HEADER_SIZE,
  CtpRoutingFrame,
  FORWARD_COUNT,
  MAX_RETRIES,
  PARENT_SWITCH_THRESHOLD,
} from "../components/collection/Ctp.ts";
import { airBytes, SYNC_HEADER_BYTES } from "../tools/sim/Channel.ts";
import { decodeSerialStream, encodeMessage } from "../tools/serial/index.ts";
import { World, type WorldOptions } from "../tools/sim/World.ts";
import { CollectionLog, cornerHops, DATA_FRAME_BYTES, lossyGrid, snrForMeanPrr } from "./fixtures/collection/grid.ts";
import { imageOf } from "./support.ts";

const PROBE = "test/fixtures/collection/MultihopOscilloscopeProbeAppC.ts";
/** The same, saying its parent and path ETX each second ("route" channel). */
const ROUTE_PROBE = "test/fixtures/collection/CtpRouteProbeAppC.ts";
/** A mote that sends nothing of its own, saying its parent and path ETX each second. */
const RELAY_PROBE = "test/fixtures/collection/RelayRouteProbeAppC.ts";
const TINYOS_MAC: WorldOptions["radio"] = { maxRetries: 0 };

async function grid(seed: number, radio: WorldOptions["radio"] = TINYOS_MAC) {
  const world = new World({ seed, keepDebug: false, radio });
  lossyGrid(world, await imageOf(PROBE), { columns: 10, rows: 10 });
  return { world, log: new CollectionLog(world) };
}

const totalTransmissions = (world: World) => world.summary().reduce((n, s) => n + s.transmissions, 0);
const deliveredBetween = (log: CollectionLog, from: number, to: number) =>
  [...log.delivered.values()].filter((t) => t >= from && t < to).length;

/** An Oscilloscope message from mote `id`, as its payload bytes. */
const reading = (id: number, count: number) =>
  encodeMessage(MultihopOscilloscopeMsg, { version: 0, interval: 1024, id, count, readings: [1, 2, 3, 4, 5] });

/** A CTP data frame's payload: the 8-byte header, then `payload`. */
function ctpData(h: { thl: number; etx: number; origin: number; seqno: number; collectId: number }, payload: Uint8Array) {
  const b = new Uint8Array(CTP_DATA_HEADER_SIZE + payload.length);
  b[0] = 0;
  b[1] = h.thl;
  b[2] = h.etx >> 8;
  b[3] = h.etx & 255;
  b[4] = h.origin >> 8;
  b[5] = h.origin & 255;
  b[6] = h.seqno;
  b[7] = h.collectId;
  b.set(payload, CTP_DATA_HEADER_SIZE);
  return b;
}

/** The Oscilloscope frames a mote wrote on its serial port. */
function serialReadings(world: World, id: number) {
  return decodeSerialStream(world.serialOutput(id)).packets.map((p) => ({ type: p.type, length: p.payload.length, id: MultihopOscilloscopeMsg.get.id(p.payload) }));
}

describe("CollectionC (CTP) on a 10×10 grid with 10% link loss", () => {
  it("delivers over 95% of readings end to end, at under twice the hop count in transmissions, to the root's serial port as TinyOS's frames", async () => {
    const { world, log } = await grid(1);
    world.runUntil(30_000);
    const txBefore = totalTransmissions(world);
    world.runUntil(110_000);
    const tx = totalTransmissions(world) - txBefore;
    const delivered = deliveredBetween(log, 30_000, 110_000);
    world.runUntil(120_000);

    const r = log.ratio(30_000, 110_000);
    expect(r.originated).toBeGreaterThan(1400); // ~100 motes × 80 s / 5.12 s
    expect(r.ratio).toBeGreaterThanOrEqual(0.95);
    // Every mote sent readings: none of them is cut off altogether.
    expect(log.originated.size).toBe(100);

    // Every radio transmission (data, retransmissions, beacons, dissemination) per reading delivered.
    const hops = world.motes.filter((m) => m.nodeId !== 0).reduce((n, m) => n + cornerHops(m.nodeId, 10), 0) / 99;
    expect(tx / delivered).toBeLessThanOrEqual(2 * hops);

    // What the root wrote on its serial port: one Oscilloscope frame per reading, as TinyOS's root writes it.
    const frames = serialReadings(world, 0);
    expect(frames.every((f) => f.type === 0x93 && f.length === MultihopOscilloscopeMsg.size)).toBe(true);
    expect(new Set(frames.map((f) => f.id)).size).toBe(100);
    expect(frames.length).toBeGreaterThanOrEqual(log.delivered.size - log.duplicateDeliveries);
    const hex = [...world.serialOutput(0).subarray(0, 10)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    expect(hex).toBe("7e 45 00 ff ff 00 00 12 00 93"); // no ACK wanted, dispatch 0, dest 0xFFFF, src 0, 18 bytes, group 0, type 0x93
  });

  it("routes around 5% of the motes turned off mid-run, parents among them: over 95% again within 60 s", async () => {
    const { world, log } = await grid(2);
    world.runUntil(60_000);
    // The five motes with the most children, leaving the root's own neighbours (1, 10, 11) alone.
    const victims = [...log.children()]
      .filter(([id]) => ![0, 1, 10, 11].includes(id))
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 5)
      .map(([id]) => id);
    expect(victims).toHaveLength(5);
    const orphans = [...log.parent].filter(([id, p]) => victims.includes(p) && !victims.includes(id)).map(([id]) => id);
    expect(orphans.length).toBeGreaterThanOrEqual(5);
    for (const id of victims) world.turnOff(id);
    const alive = (id: number) => !victims.includes(id);
    const parentChanges = log.parentChanges;

    world.runUntil(120_000);
    const after = log.ratio(70_000, 120_000, alive);
    expect(after.originated).toBeGreaterThan(800);
    expect(after.ratio).toBeGreaterThanOrEqual(0.95);
    // Every orphan found another parent, a live one.
    for (const id of orphans) expect(victims).not.toContain(log.parent.get(id));
    expect(log.parentChanges).toBeGreaterThan(parentChanges);
    expect(log.deadEvictions).toBeGreaterThan(0);
  });

  it("delivers over 95% on the simulator's default radio too (MAC retransmissions, deaf carrier sense)", async () => {
    const { world, log } = await grid(3, {});
    world.runUntil(100_000);
    expect(log.ratio(30_000, 90_000).ratio).toBeGreaterThanOrEqual(0.95);
  });
});

describe("CTP's duplicate suppression, loop repair and pull", () => {
  /** Motes 0..n-1 in a line, good links between neighbours, mote 0 the root. */
  async function line(n: number, seed = 4) {
    const world = new World({ seed, keepDebug: false, radio: TINYOS_MAC });
    const image = await imageOf(PROBE);
    for (let i = 0; i < n; i++) world.addMote({ id: i, image, bootAtMs: 10 * i });
    for (let i = 0; i + 1 < n; i++) world.setLink(i, i + 1, -75);
    return { world, log: new CollectionLog(world) };
  }

  it("drops a packet heard again (same origin, seqno, collection id and THL), but not one that went around a loop (higher THL)", async () => {
    const { world, log } = await line(2);
    world.runUntil(5_000);
    const before = serialReadings(world, 0).length;
    const frame = (thl: number, dest: number) => ({
      src: 42,
      dest,
      type: AM_CTP_DATA,
      payload: ctpData({ thl, etx: 200, origin: 42, seqno: 7, collectId: 0x93 }, reading(42, 1)),
    });
    // Mote 42 (not in the world) sends to mote 1 three times: its acknowledgements were lost.
    world.inject(1, frame(0, 1), 5_000);
    world.inject(1, frame(0, 1), 5_010);
    world.inject(1, frame(0, 1), 5_300); // after mote 1 forwarded it: the sent cache catches it
    world.runUntil(6_000);
    let mine = serialReadings(world, 0).slice(before).filter((f) => f.id === 42);
    expect(mine).toHaveLength(1);
    expect(log.duplicatesSuppressed).toBeGreaterThanOrEqual(2);
    // The same packet once more, two hops longer: a loop brought it back, so it is forwarded again.
    world.inject(1, frame(2, 1), 6_000);
    // And straight to the root, twice: delivered once.
    world.inject(0, frame(5, 0), 6_500);
    world.inject(0, frame(5, 0), 6_520);
    world.runUntil(8_000);
    mine = serialReadings(world, 0).slice(before).filter((f) => f.id === 42);
    expect(mine).toHaveLength(3);
  });

  it("repairs a loop: a mote tricked into routing through its own child finds its way back, and no reading is lost", async () => {
    const { world, log } = await line(6);
    world.runUntil(30_000);
    expect(log.parent.get(4)).toBe(3);
    expect(log.parent.get(5)).toBe(4);
    // A forged beacon "from mote 5": a route through mote 6 at ETX 1.0, far better than mote 4's own.
    // Three in a row, so the link estimator, which starts over at the jump in sequence numbers, rates the link anew.
    const beacon = (leSeq: number) => encodeMessage(CtpRoutingFrame, { leFlags: 0, leSeq, options: 0, parent: 6, etx: 10 });
    const parentLines: [number, number][] = [];
    world.onDebug("ctp", (m, _c, msg) => {
      if (m.nodeId === 4 && msg.startsWith("parent ")) parentLines.push([world.nowMs, Number(msg.split(" ")[1])]);
    });
    for (let k = 0; k < 3; k++) world.inject(4, { src: 5, dest: 0xffff, type: AM_CTP_ROUTING, payload: beacon(99 + k) }, 30_000 + 10 * k);
    // Mote 4 takes it at its next route evaluation (8 s at most): 4 → 5 → 4, a loop.
    expect(world.runUntilCondition(() => log.parent.get(4) === 5, 9_000)).toBe(true);
    const looped = world.nowMs;
    // Within a second or two mote 4 routes through mote 3 again, and 5 through 4.
    expect(world.runUntilCondition(() => log.parent.get(4) === 3, 5_000)).toBe(true);
    expect(world.nowMs - looped).toBeLessThan(2_000);
    world.runUntil(45_000);
    expect(log.parent.get(4)).toBe(3);
    expect(log.parent.get(5)).toBe(4);
    expect(parentLines.filter(([t]) => t > looped + 2_000)).toEqual([]);
    world.runUntil(70_000);
    const r = log.ratio(25_000, 60_000);
    expect(r.ratio).toBe(1);
  });

  it("takes data arriving with an ETX lower than its own as a loop sign: beacons at once, and still forwards the packet", async () => {
    const beacons: number[] = [];
    const world = new World({
      seed: 5,
      keepDebug: false,
      radio: TINYOS_MAC,
      trace: (l) => {
        if (!l.includes('"tx"')) return;
        const t = JSON.parse(l) as { t: number; src: number; type: number };
        if (t.src === 3 && t.type === AM_CTP_ROUTING) beacons.push(t.t * 1000);
      },
    });
    const image = await imageOf(PROBE);
    for (let i = 0; i < 6; i++) world.addMote({ id: i, image, bootAtMs: 10 * i });
    for (let i = 0; i + 1 < 6; i++) world.setLink(i, i + 1, -75);
    const log = new CollectionLog(world);
    world.runUntil(60_000);
    const quietSince = beacons.filter((t) => t > 40_000).length;
    expect(quietSince).toBeLessThanOrEqual(1); // mote 3's beacon interval has grown to tens of seconds
    const before = serialReadings(world, 0).length;
    // Mote 4 forwards a reading to mote 3 claiming ETX 0.5: it believes it is nearer the root than 3 is.
    world.inject(3, { src: 4, dest: 3, type: AM_CTP_DATA, payload: ctpData({ thl: 1, etx: 5, origin: 9, seqno: 1, collectId: 0x93 }, reading(9, 1)) }, 60_000);
    world.runUntil(61_000);
    expect(log.loopsDetected).toBe(1);
    const next = beacons.filter((t) => t >= 60_000);
    expect(next.length).toBeGreaterThan(0);
    expect(next[0]! - 60_000).toBeLessThan(200); // the beacon interval went back to 128 ms
    expect(serialReadings(world, 0).slice(before).filter((f) => f.id === 9)).toHaveLength(1);
  });

  it("a mote that boots late pulls a route at once, though its neighbours beacon only every few minutes by then", async () => {
    const { world, log } = await line(4);
    const late = world.addMote({ id: 4, image: await imageOf(PROBE) });
    world.setLink(3, 4, -75);
    world.runUntil(300_000);
    world.turnOn(late.nodeId);
    const booted = world.nowMs;
    world.runUntilCondition(() => log.parent.get(4) === 3, 5_000);
    expect(log.parent.get(4)).toBe(3);
    expect(world.nowMs - booted).toBeLessThan(2_000);
  });
});

/** Each mote's parent and path ETX as it last said them (CtpRouteReporterP says them each second). */
function routeLog(world: World) {
  const said = new Map<number, { parent: number; etx: number }>();
  world.onDebug("route", (m, _c, msg) => {
    const [, parent, etx] = msg.split(" ");
    said.set(m.nodeId, { parent: Number(parent), etx: Number(etx) });
  });
  return { etx: (id: number) => said.get(id)!.etx, parent: (id: number) => said.get(id)!.parent };
}

/** Times (ms) of the radio transmissions of AM `type` by mote `src`, from the simulator's trace. */
function transmissionsOf(src: number, type: number) {
  const times: number[] = [];
  const trace = (l: string) => {
    if (!l.includes('"tx"')) return;
    const t = JSON.parse(l) as { t: number; src: number; type: number };
    if (t.src === src && t.type === type) times.push(t.t * 1000);
  };
  return { times, trace };
}

/** A routing beacon "from" a mote that is not in the world: link estimator header (sequence number), then the route. */
const forgedBeacon = (leSeq: number, parent: number, etx: number) => encodeMessage(CtpRoutingFrame, { leFlags: 0, leSeq, options: 0, parent, etx });

describe("CTP's link estimation, parent choice, retransmissions and forwarding pool", () => {
  it("estimates a link's ETX from data acknowledgements: half the data lost costs about two transmissions, and every reading still arrives", async () => {
    const data = transmissionsOf(1, AM_CTP_DATA);
    const world = new World({ seed: 6, keepDebug: false, radio: TINYOS_MAC, trace: data.trace });
    const image = await imageOf(ROUTE_PROBE);
    world.addMote({ id: 0, image, bootAtMs: 0 });
    world.addMote({ id: 1, image, bootAtMs: 3_000 });
    world.setLink(0, 1, -75);
    const route = routeLog(world);
    const log = new CollectionLog(world);
    world.runUntil(60_000);
    expect(route.parent(1)).toBe(0);
    expect(route.etx(1)).toBe(10); // a clean link: one transmission

    // From now on mote 1's data frames to the root are lost half the time; the root's beacons and
    // acknowledgements still all arrive, so only the data acknowledgements can tell.
    const { noiseMeanDbm, noiseStdDb } = world.medium.options;
    world.setGain(1, 0, noiseMeanDbm + snrForMeanPrr(0.5, noiseStdDb, airBytes(DATA_FRAME_BYTES) - SYNC_HEADER_BYTES));
    const sentBefore = data.times.length;
    world.runUntil(260_000);
    const lossyEtx = route.etx(1);
    expect(lossyEtx).toBeGreaterThanOrEqual(18);
    // Per-hop retransmissions (the MAC does none here): every reading arrives, at about two transmissions each.
    const r = log.ratio(60_000, 250_000, (id) => id === 1);
    expect(r.originated).toBeGreaterThan(30);
    expect(r.ratio).toBe(1);
    const perReading = (data.times.filter((t) => t >= 60_000 && t < 250_000).length) / r.originated;
    expect(perReading).toBeGreaterThan(1.5);
    expect(perReading).toBeLessThan(3);
    expect(data.times.length).toBeGreaterThan(sentBefore);

    // The link heals: the estimate comes down again.
    world.setGain(1, 0, -75);
    world.runUntil(600_000);
    expect(route.etx(1)).toBeLessThan(lossyEtx - 5);
  });

  it("estimates a link's ETX from beacons: a neighbour whose every other beacon is missing costs more than one heard every time", async () => {
    const world = new World({ seed: 7, keepDebug: false, radio: TINYOS_MAC });
    const image = await imageOf(RELAY_PROBE);
    // Motes 1 and 2 hear nobody but a root, mote 7, that is not in the world. They send no data.
    world.addMote({ id: 1, image, bootAtMs: 0 });
    world.addMote({ id: 2, image, bootAtMs: 0 });
    const route = routeLog(world);
    for (let k = 0; k < 30; k++) {
      const at = 1_000 + 1_000 * k;
      world.inject(1, { src: 7, dest: 0xffff, type: AM_CTP_ROUTING, payload: forgedBeacon(k, 7, 0) }, at);
      world.inject(2, { src: 7, dest: 0xffff, type: AM_CTP_ROUTING, payload: forgedBeacon(2 * k, 7, 0) }, at);
    }
    world.runUntil(32_000);
    expect(route.parent(1)).toBe(7);
    expect(route.parent(2)).toBe(7);
    expect(route.etx(1)).toBe(10);
    expect(route.etx(2)).toBeGreaterThanOrEqual(15);
  });

  it(`switches parent only for a route better by more than ${PARENT_SWITCH_THRESHOLD / 10} ETX, and beacons at once when it does`, async () => {
    const beacons = transmissionsOf(3, AM_CTP_ROUTING);
    const world = new World({ seed: 8, keepDebug: false, radio: TINYOS_MAC, trace: beacons.trace });
    const image = await imageOf(ROUTE_PROBE);
    for (let i = 0; i < 4; i++) world.addMote({ id: i, image, bootAtMs: 10 * i });
    for (let i = 0; i + 1 < 4; i++) world.setLink(i, i + 1, -75);
    const route = routeLog(world);
    const log = new CollectionLog(world);
    world.runUntil(30_000);
    expect(log.parent.get(3)).toBe(2);
    const changes = log.parentChanges;
    const etx = route.etx(3);
    expect(etx).toBeGreaterThanOrEqual(30);

    // Mote 7 (not in the world) beacons to mote 3: a clean link (ETX 1.0), and a route 1.2 ETX better than mote 3's own.
    let seq = 0;
    const advertise = (pathEtx: number, at: number) => {
      for (let k = 0; k < 3; k++) {
        world.inject(3, { src: 7, dest: 0xffff, type: AM_CTP_ROUTING, payload: forgedBeacon(seq++, 0, pathEtx - 10) }, at + 10 * k);
      }
    };
    advertise(etx - 12, 30_000);
    world.runUntil(45_000); // route evaluations every 8 s: at least one
    expect(log.parentChanges).toBe(changes); // not even for a moment
    expect(log.parent.get(3)).toBe(2);

    // 1.8 ETX better: worth a switch.
    advertise(etx - 18, 45_000);
    expect(world.runUntilCondition(() => log.parent.get(3) === 7, 10_000)).toBe(true);
    expect(log.parentChanges).toBe(changes + 1);
    const switched = world.nowMs;
    const quietBefore = beacons.times.filter((t) => t > 35_000 && t < switched).length;
    world.runUntil(switched + 1_000);
    // The route change put the beacon interval back to 128 ms: mote 3 tells its neighbours at once.
    expect(quietBefore).toBeLessThanOrEqual(1);
    expect(beacons.times.filter((t) => t >= switched && t < switched + 128).length).toBe(1);
  });

  it(`gives a packet up after ${MAX_RETRIES} unacknowledged transmissions, though it changed parent on the way`, async () => {
    const data = transmissionsOf(1, AM_CTP_DATA);
    const world = new World({ seed: 10, keepDebug: false, radio: TINYOS_MAC, trace: data.trace });
    world.addMote({ id: 1, image: await imageOf(PROBE), bootAtMs: 0 });
    const log = new CollectionLog(world);
    const parents: number[] = [];
    world.onDebug("ctp", (_m, _c, msg) => {
      if (msg.startsWith("parent ")) parents.push(Number(msg.split(" ")[1]));
    });
    // Three roots that are not in the world beacon to mote 1, so its packets find a parent but never an acknowledgement.
    for (const [k, root] of [7, 8, 9].entries()) {
      for (let n = 0; n < 3; n++) world.inject(1, { src: root, dest: 0xffff, type: AM_CTP_ROUTING, payload: forgedBeacon(n, root, 10 * k) }, 1_000 + 10 * n);
    }
    world.runUntil(8_000); // the first reading is sent at about 6 s
    expect(log.dropsAtOrigin).toBe(1);
    expect(data.times).toHaveLength(MAX_RETRIES);
    // Each root was taken for gone after ten unacknowledged packets, and the next one tried.
    expect(parents).toEqual([7, 8, 9]);
    expect(log.deadEvictions).toBe(3);
  });

  it(`forwards from a pool of ${FORWARD_COUNT} buffers: a burst beyond it is dropped and counted, and the pool is whole again afterwards`, async () => {
    const world = new World({ seed: 9, keepDebug: false, radio: TINYOS_MAC });
    const image = await imageOf(PROBE);
    world.addMote({ id: 0, image, bootAtMs: 0 });
    world.addMote({ id: 1, image, bootAtMs: 10 });
    world.setLink(0, 1, -75);
    const log = new CollectionLog(world);
    world.runUntil(20_000);
    const burst = (first: number, count: number, at: number) => {
      for (let k = 0; k < count; k++) {
        const payload = ctpData({ thl: 0, etx: 200, origin: 42, seqno: first + k, collectId: 0x93 }, reading(42, first + k));
        world.inject(1, { src: 42, dest: 1, type: AM_CTP_DATA, payload }, at);
      }
    };
    const from42 = () => [...log.delivered.keys()].filter((k) => k.startsWith("42:")).length;
    // Twenty packets to forward in the same instant: the pool takes FORWARD_COUNT, the rest are refused.
    burst(0, 20, 20_000);
    world.runUntil(25_000);
    expect(from42()).toBe(FORWARD_COUNT);
    expect(log.queueDrops).toBe(20 - FORWARD_COUNT);
    // Every buffer came back: another full pool's worth goes through.
    burst(100, FORWARD_COUNT, 25_000);
    world.runUntil(30_000);
    expect(from42()).toBe(2 * FORWARD_COUNT);
    expect(log.queueDrops).toBe(20 - FORWARD_COUNT);
    // And mote 1's own readings were never held up for long.
    world.runUntil(60_000);
    expect(log.ratio(20_000, 55_000, (id) => id === 1).ratio).toBe(1);
  });
});
