/**
 * The component-model example applications, end to end: each is built for
 * the sim platform, booted on a simulated mote and checked through what it
 * shows (LED changes and Debug lines, with their virtual times) and, where
 * the feature is a build-time one, through the elaborated graph.
 */
import { describe, expect, it } from "vitest";
import type { ElaboratedGraph } from "../tools/build/elaborate.ts";
import { bootOne, buildApp } from "./support.ts";

/** `<timeMs> <message>` for each line on one debug channel. */
function timed(mote: { debugLines: readonly { timeMs: number; channel: string; message: string }[] }, channel: string) {
  return mote.debugLines.filter((l) => l.channel === channel).map((l) => `${l.timeMs} ${l.message}`);
}

function instancesOf(graph: ElaboratedGraph, name: string) {
  return graph.instances.filter((n) => n.component.name === name);
}

describe("GenericBlinkAppC: a generic component instantiated twice", () => {
  it("elaborates two PeriodicToggleC instances, each with its own PeriodicToggleP and timer", async () => {
    const { graph } = await buildApp("GenericBlinkAppC");
    expect(instancesOf(graph, "PeriodicToggleC").map((n) => n.args)).toEqual([[300, 1], [500, 2]]);
    expect(instancesOf(graph, "PeriodicToggleP").map((n) => n.args)).toEqual([[300, 1], [500, 2]]);
    expect(graph.uniqueCounts.get("TimerMilliC.Timer")).toBe(2);
  });

  it("toggles LED 1 every 300 ms and LED 2 every 500 ms, and nothing else", async () => {
    const { mote, runMs } = await bootOne("GenericBlinkAppC");
    runMs(1500);
    expect(mote.ledTrace).toEqual([
      { timeMs: 300, led: 1, on: true },
      { timeMs: 500, led: 2, on: true },
      { timeMs: 600, led: 1, on: false },
      { timeMs: 900, led: 1, on: true },
      { timeMs: 1000, led: 2, on: false },
      { timeMs: 1200, led: 1, on: false },
      { timeMs: 1500, led: 1, on: true },
      { timeMs: 1500, led: 2, on: true },
    ]);
  });

  it("keeps a toggle count per instance", async () => {
    const { mote, runMs } = await bootOne("GenericBlinkAppC");
    runMs(1500);
    // Shared state would number these 1..8 across both instances.
    expect(timed(mote, "toggle")).toEqual([
      "300 led1 1",
      "500 led2 1",
      "600 led1 2",
      "900 led1 3",
      "1000 led2 2",
      "1200 led1 4",
      "1500 led1 5",
      "1500 led2 3",
    ]);
    runMs(60_000); // runMs runs until an absolute virtual time: t = 60 s
    const last = (led: number) => mote.channel("toggle").filter((m) => m.startsWith(`led${led} `)).at(-1);
    expect(last(1)).toBe("led1 200");
    expect(last(2)).toBe("led2 120");
  });
});

describe("ParameterizedAppC: a parameterized interface numbered by unique", () => {
  it("gives the three MetronomeC clients indexes 0, 1, 2 in wiring order and sizes the server by uniqueCount", async () => {
    const { graph } = await buildApp("ParameterizedAppC");
    expect(graph.uniqueCounts.get("MetronomeC.Beat")).toBe(3);
    const servers = instancesOf(graph, "MetronomeImplP");
    expect(servers.map((n) => n.args)).toEqual([[3, 100]]);
    expect(servers[0]!.slots.get("Beat")?.count).toBe(3);

    // Client slot -> the MetronomeC it is wired to -> the index that MetronomeC equates to.
    const app = instancesOf(graph, "MetronomeLedsC")[0]!;
    const indexOf = (slot: string) => {
      const wire = graph.wires.find((w) => w.kind === "wire" && w.from.instance === app.id && w.from.slot === slot)!;
      expect(graph.instances[wire.to.instance]!.component.name).toBe("MetronomeC");
      const equate = graph.wires.find((w) => w.kind === "equate" && w.from.instance === wire.to.instance)!;
      return equate.to.index;
    };
    expect(["Fast", "Medium", "Slow"].map(indexOf)).toEqual([0, 1, 2]);
  });

  it("routes each beat to its own client: index 0 to Fast, 1 to Medium, 2 to Slow", async () => {
    const { mote, runMs } = await bootOne("ParameterizedAppC");
    runMs(400);
    expect(timed(mote, "metronome")).toEqual([
      "100 signal 0",
      "100 fast 1",
      "200 signal 0",
      "200 fast 2",
      "200 signal 1",
      "200 medium 1",
      "300 signal 0",
      "300 fast 3",
      "400 signal 0",
      "400 fast 4",
      "400 signal 1",
      "400 medium 2",
      "400 signal 2",
      "400 slow 1",
    ]);
  });

  it("keeps per-client periods and counts; stopping one client leaves the others beating", async () => {
    const { mote, runMs } = await bootOne("ParameterizedAppC");
    runMs(2000);
    // The model: every 100 ms tick k, client i beats when k is a multiple of its period;
    // Slow (index 2) stops itself after its third beat.
    const expected: string[] = [];
    const clients = [["fast", 1], ["medium", 2], ["slow", 4]] as const;
    for (let k = 1; k <= 20; k++) {
      clients.forEach(([name, every], i) => {
        if (k % every !== 0 || (name === "slow" && k / every > 3)) return;
        expected.push(`${k * 100} signal ${i}`, `${k * 100} ${name} ${k / every}`);
      });
    }
    expect(timed(mote, "metronome")).toEqual(expected);

    const ledTimes = (led: number) => mote.ledTrace.filter((c) => c.led === led).map((c) => c.timeMs);
    expect(ledTimes(0)).toEqual(Array.from({ length: 20 }, (_, k) => (k + 1) * 100));
    expect(ledTimes(1)).toEqual(Array.from({ length: 10 }, (_, k) => (k + 1) * 200));
    expect(ledTimes(2)).toEqual([400, 800, 1200]);
    expect(mote.leds & 4).toBe(4); // stopped on its third toggle: left on
  });
});

describe("FanOutAppC: fan-out of commands (combined) and events", () => {
  it("builds without a fan-out warning: Check.run combines with ecombine", async () => {
    const report = await buildApp("FanOutAppC");
    expect(report.warnings).toEqual([]);
    const test = instancesOf(report.graph, "SelfTestC")[0]!;
    const fanOut = (slot: string) =>
      report.graph.wires.filter((w) => w.kind === "wire" && w.from.instance === test.id && w.from.slot === slot).length;
    expect([fanOut("Quick"), fanOut("Full")]).toEqual([2, 3]);
    const handlers = report.graph.wires.filter((w) => w.kind === "wire" && w.to.instance === test.id && w.to.slot === "Verdict");
    expect(handlers.map((w) => report.graph.instances[w.from.instance]!.component.name)).toEqual(["VerdictLedsC", "VerdictLogC"]);
  });

  it("calls every check of a suite once and combines: SUCCESS+SUCCESS is SUCCESS, with an EBUSY it is FAIL", async () => {
    const { mote } = await bootOne("FanOutAppC");
    // The build calls fanned-out providers in wiring order (nesC leaves the order unspecified).
    expect(mote.channel("selftest")).toEqual([
      "check radio 0",
      "check flash 0",
      "verdict quick 0", // SUCCESS
      "check radio 0",
      "check flash 0",
      "check sensor 5", // EBUSY
      "verdict full 1", // ecombine(SUCCESS, EBUSY) = FAIL, not EBUSY
    ]);
  });

  it("signals each verdict to both handlers: the logger above and the LEDs (green pass, red fail)", async () => {
    const { mote, runMs } = await bootOne("FanOutAppC");
    runMs(1000);
    expect(mote.ledTrace).toEqual([
      { timeMs: 0, led: 1, on: true }, // quick: SUCCESS
      { timeMs: 0, led: 0, on: true }, // full: FAIL
    ]);
    expect(mote.channel("selftest").filter((m) => m.startsWith("verdict"))).toHaveLength(2);
  });
});

describe("DefaultHandlerAppC: default handlers stand in for what is not wired", () => {
  it("leaves SamplerC's Sensor and Reading unwired, and builds without complaint", async () => {
    const report = await buildApp("DefaultHandlerAppC");
    expect(report.warnings).toEqual([]);
    const sampler = instancesOf(report.graph, "SamplerC")[0]!;
    expect(sampler.defaults).toEqual(["Sensor", "Reading"]);
    const touching = report.graph.wires.filter((w) =>
      [w.from, w.to].some((e) => e.instance === sampler.id && (e.slot === "Sensor" || e.slot === "Reading")),
    );
    expect(touching).toEqual([]);
    // A used event nobody can signal costs nothing in the image.
    expect(report.prunedFunctions).toContain("SamplerC.Sensor.readDone");
  });

  it("runs the default read (EOFF) and the default Reading handler once a second", async () => {
    const { mote, runMs } = await bootOne("DefaultHandlerAppC");
    runMs(3500);
    expect(timed(mote, "sampler")).toEqual([
      "1000 read 4", // EOFF from the default Sensor.read
      "1000 unheard 4 0", // the default Reading.ready
      "2000 read 4",
      "2000 unheard 4 0",
      "3000 read 4",
      "3000 unheard 4 0",
    ]);
    expect(mote.ledTrace).toEqual([
      { timeMs: 1000, led: 1, on: true },
      { timeMs: 2000, led: 1, on: false },
      { timeMs: 3000, led: 1, on: true },
    ]);
  });
});
