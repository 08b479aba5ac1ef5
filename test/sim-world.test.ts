import { describe, expect, it } from "vitest";
import { World } from "../tools/sim/World.ts";
import { ManualClock } from "./fixtures/sim/ManualClock.ts";
import { imageOf } from "./support.ts";

const COUNTER = "test/fixtures/sim/LifeCounterAppC.ts";
const BEACON = "test/fixtures/sim/BeaconProbeAppC.ts";
const LISTENER = "test/fixtures/sim/ListenerAppC.ts";

describe("the world: many motes on one clock", () => {
  it("runs each mote as its own instance with its own node id and state", async () => {
    const world = new World();
    const image = await imageOf(COUNTER);
    world.addMote({ id: 5, image, bootAtMs: 0 });
    world.addMote({ id: 9, image, bootAtMs: 250 });
    world.addMote({ id: 2, image }); // never booted
    world.runUntil(1000);
    expect(world.mote(5).channel("boot")).toEqual(["booted 5"]);
    expect(world.mote(9).channel("boot")).toEqual(["booted 9"]);
    expect(world.mote(2).channel("boot")).toEqual([]);
    expect(world.mote(5).variable("count")).toBe("10");
    expect(world.mote(9).variable("count")).toBe("7"); // 350, 450, ..., 950
    expect(world.mote(5).debugLines.at(-1)!.timeMs).toBe(1000);
    expect(world.mote(9).debugLines.at(-1)!.timeMs).toBe(950);
    expect(world.mote(5).leds).toBe(10 & 7);
  });

  it("runs different images side by side (a root and its listeners)", async () => {
    const world = new World({ seed: 4 });
    world.addMote({ id: 0, image: await imageOf(BEACON), bootAtMs: 0 });
    for (let id = 1; id <= 3; id++) world.addMote({ id, image: await imageOf(LISTENER), bootAtMs: 0 });
    for (let id = 1; id <= 3; id++) world.setGain(0, id, -60);
    world.runUntil(6000); // beacons at 1000 + backoff, ..., 5000 + backoff; reports at 1000, ..., 6000
    expect(world.mote(0).counters.sent).toBe(6); // the sixth is still backing off
    expect(world.mote(0).counters.transmissions).toBe(5);
    for (let id = 1; id <= 3; id++) {
      expect(world.mote(id).counters.sent).toBe(0);
      expect(world.mote(id).counters.received).toBe(5);
      expect(world.mote(id).variable("received")).toBe("5");
    }
  });

  it("named debug channels reach listeners (TOSSIM's addChannel), one channel or all", async () => {
    const world = new World();
    const image = await imageOf(COUNTER);
    world.addMote({ id: 3, image, bootAtMs: 0 });
    world.addMote({ id: 4, image, bootAtMs: 50 });
    const boots: string[] = [];
    const all: string[] = [];
    world.onDebug("boot", (mote, channel, message) => boots.push(`${mote.nodeId} ${channel} ${message} @${world.nowMs}`));
    world.onDebug("*", (mote, channel, message) => all.push(`${mote.nodeId} ${channel} ${message}`));
    world.runUntil(200);
    expect(boots).toEqual(["3 boot booted 3 @0", "4 boot booted 4 @50"]);
    expect(all).toEqual(["3 boot booted 3", "4 boot booted 4", "3 count 1", "4 count 1", "3 count 2"]);
  });

  it("debug lines are in the trace, with time, mote, channel and message", async () => {
    const lines: string[] = [];
    const world = new World({ trace: (l) => lines.push(l) });
    world.addMote({ id: 3, image: await imageOf(COUNTER), bootAtMs: 0 });
    world.addMote({ id: 4, image: await imageOf(COUNTER), bootAtMs: 50 });
    world.runUntil(200);
    expect(lines.filter((l) => l.includes('"ev":"dbg"'))).toEqual([
      '{"t":0,"ev":"dbg","mote":3,"channel":"boot","msg":"booted 3"}',
      '{"t":0.05,"ev":"dbg","mote":4,"channel":"boot","msg":"booted 4"}',
      '{"t":0.1,"ev":"dbg","mote":3,"channel":"count","msg":"1"}',
      '{"t":0.15,"ev":"dbg","mote":4,"channel":"count","msg":"1"}',
      '{"t":0.2,"ev":"dbg","mote":3,"channel":"count","msg":"2"}',
    ]);
  });

  it("orders events by time, then by insertion", async () => {
    const world = new World();
    const order: string[] = [];
    world.at(10, () => order.push("a"));
    world.at(5, () => order.push("b"));
    world.at(10, () => order.push("c"));
    world.at(5, () => order.push("d"));
    world.runUntil(20);
    expect(order).toEqual(["b", "d", "a", "c"]);
  });

  it("runs until a condition holds, or a time limit", async () => {
    const world = new World();
    world.addMote({ id: 1, image: await imageOf(COUNTER), bootAtMs: 0 });
    expect(world.runUntilCondition(() => world.mote(1).variable("count") === "25", 10_000)).toBe(true);
    expect(world.nowMs).toBe(2500);
    expect(world.runUntilCondition(() => false, 1000)).toBe(false);
    expect(world.nowMs).toBe(3500);
  });

  it("paces virtual time to a clock (--realtime): never ahead of it, and on time", async () => {
    const clock = new ManualClock();
    clock.ms = 5000; // any origin
    const world = new World();
    world.addMote({ id: 1, image: await imageOf(COUNTER), bootAtMs: 0 });
    const ranAt: [number, number][] = [];
    for (let ms = 250; ms <= 3000; ms += 250) world.at(ms, () => ranAt.push([ms, clock.now() - 5000]));
    let behind = 0;
    const onSlice = () => {
      if (world.nowMs > (clock.now() - 5000) * 2 + 1e-6) behind++;
    };
    await world.runRealtime({ untilMs: 3000, speed: 2, clock, onSlice });
    expect(behind).toBe(0);
    expect(world.nowMs).toBe(3000);
    expect(clock.now() - 5000).toBeCloseTo(1500, 6);
    expect(ranAt).toHaveLength(12);
    // Each event runs once the clock reaches its time (at speed 2, half its virtual time), within the 1 ms a sleep may round to.
    for (const [due, at] of ranAt) {
      expect(at).toBeGreaterThanOrEqual(due / 2 - 1e-6);
      expect(at).toBeLessThanOrEqual(due / 2 + 1);
    }
    expect(world.mote(1).variable("count")).toBe("30");
    // stop() ends an open-ended run after the current slice.
    world.at(4000, () => world.stop());
    await world.runRealtime({ clock });
    expect(world.nowMs).toBeGreaterThanOrEqual(4000);
    expect(world.nowMs).toBeLessThanOrEqual(4001);
  });

  it("is deterministic: the same seed gives the same trace, byte for byte; another seed does not", async () => {
    const beacon = await imageOf(BEACON);
    const run = (seed: number) => {
      const lines: string[] = [];
      const world = new World({ seed, trace: (l) => lines.push(l) });
      world.addMotes(25, beacon, { bootSpreadMs: 1000 });
      world.placeMotes("grid:5x5");
      world.at(4000, () => world.turnOff(12));
      world.at(6000, () => world.turnOn(12));
      world.at(5000, () => world.setLink(0, 24, -70));
      world.runUntil(10_000);
      world.traceEnergy();
      return lines.join("\n");
    };
    const a = run(42);
    const b = run(42);
    expect(a.length).toBeGreaterThan(10_000);
    expect(a).toBe(b);
    expect(run(43)).not.toBe(a);
    for (const ev of ['"ev":"tx"', '"ev":"rx"', '"ev":"led"', '"ev":"radio"', '"ev":"energy"', '"ev":"boot"', '"ev":"off"', '"ev":"gain"']) {
      expect(a).toContain(ev);
    }
    for (const result of ["delivered", "lost", "collided"]) expect(a).toContain(`"result":"${result}"`);
  });
});

describe("motes' lives", () => {
  it("a mote turned off and on reboots from scratch: its state is gone, its alarms with it", async () => {
    const world = new World();
    world.addMote({ id: 1, image: await imageOf(COUNTER), bootAtMs: 0 });
    world.turnOffAt(1, 1050);
    world.turnOnAt(1, 2000);
    world.runUntil(2350);
    const mote = world.mote(1);
    const counts = mote.debugLines.filter((l) => l.channel === "count");
    // 10 counts before the power cut; none while off; from 1 again after the reboot.
    expect(counts.map((l) => l.message)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "1", "2", "3"]);
    expect(counts.every((l) => l.timeMs <= 1050 || l.timeMs > 2000)).toBe(true);
    expect(counts.slice(10).map((l) => l.timeMs)).toEqual([2100, 2200, 2300]);
    expect(mote.channel("boot")).toEqual(["booted 1", "booted 1"]);
    expect(mote.counters.boots).toBe(2);
    expect(mote.leds).toBe(3);
    expect(world.energy(1).states.find((s) => s.name === "cpu suspend")!.seconds).toBeCloseTo(1.05 + 0.35, 2);
  });

  it("variables (the last value on a debug channel) are read since the last boot", async () => {
    const world = new World();
    world.addMote({ id: 1, image: await imageOf(COUNTER), bootAtMs: 0 });
    world.turnOffAt(1, 1050);
    world.turnOnAt(1, 2000);
    const mote = world.mote(1);
    world.runUntil(1500);
    expect(mote.variable("count")).toBe("10"); // off: the last value it wrote
    world.runUntil(2050);
    expect(mote.variable("count")).toBeUndefined(); // rebooted: its counter is gone, nothing written yet
    expect(mote.variable("boot")).toBe("booted 1");
    world.runUntil(2100);
    expect(mote.variable("count")).toBe("1");
    expect(mote.variable("nothing")).toBeUndefined();
  });

  it("the LEDs go dark when the power goes, and a mote that is off hears nothing", async () => {
    const world = new World();
    world.addMote({ id: 0, image: await imageOf(BEACON), bootAtMs: 0 });
    world.addMote({ id: 1, image: await imageOf(LISTENER), bootAtMs: 0 });
    world.setLink(0, 1, -60);
    world.turnOffAt(1, 2500);
    world.runUntil(6000);
    expect(world.mote(1).leds).toBe(0);
    expect(world.mote(1).counters.received).toBe(2);
    world.turnOn(1); // at 6000, just before the beacon of 6000 + backoff
    world.runUntil(10_500);
    expect(world.mote(1).counters.received).toBe(2 + 5);
    expect(world.mote(1).variable("received")).toBe("4"); // reported at 10000, counting from zero again
  });
});
