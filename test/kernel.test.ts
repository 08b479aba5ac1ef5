import { describe, expect, it } from "vitest";
import { bootOne } from "./support.ts";

const PROBE = "test/fixtures/apps/SchedulerProbeAppC.ts";
const TIMERS = "test/fixtures/apps/TimerProbeAppC.ts";

describe("scheduler (TEP 106)", () => {
  it("posts once, runs tasks FIFO and to completion, then sleeps", async () => {
    const { mote } = await bootOne(PROBE);
    expect(mote.channel("sched")).toEqual([
      "post first true",
      "post second true",
      "post first false", // already queued: post-once
      "post third true",
      "booted returns", // tasks run after booted returns, never inside it
      "run first 1",
      "post first from first true", // running, so no longer queued
      "post again true",
      "first returns", // run to completion before the next task
      "run second",
      "run third",
      "run first 2", // the re-post went to the back of the queue
      "first returns",
      "run again 1",
      "post again true",
      "run again 2",
      "post again true",
      "run again 3",
    ]);
    expect(mote.sleeps).toBe(1); // the queue emptied once, after boot

  });
});

function parse(lines: string[], name: string) {
  return lines
    .map((l) => l.split(" "))
    .filter((p) => p[0] === name)
    .map((p) => ({ now: Number(p[1]), t0: Number(p[2]), dt: Number(p[3]), running: p[4] === "true", oneShot: p[5] === "true" }));
}

describe("timers (TEP 102)", () => {
  it("periodic timers fire at exact multiples for a simulated hour without drift", async () => {
    const { mote, runMs } = await bootOne("BlinkAppC", { traceLeds: true });
    runMs(3_600_000);
    for (const [led, period] of [[0, 250], [1, 500], [2, 1000]] as const) {
      const times = mote.ledTrace.filter((c) => c.led === led).map((c) => c.timeMs);
      expect(times.length).toBe(3_600_000 / period);
      expect(times.every((t, k) => t === (k + 1) * period)).toBe(true);
    }
  });

  it("periodic: fired at t0 + k*dt, with gett0 advancing by dt and getdt constant", async () => {
    const { mote, runMs } = await bootOne(TIMERS);
    runMs(3000);
    const fires = parse(mote.channel("timer"), "periodic");
    expect(fires.map((f) => f.now)).toEqual([300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000]);
    fires.forEach((f, k) => {
      expect(f.t0).toBe((k + 1) * 300); // t0 += dt happens before fired
      expect(f.dt).toBe(300);
      expect(f.running).toBe(true);
      expect(f.oneShot).toBe(false);
    });
  });

  it("one-shot fires once; re-arming from its handler fires once more", async () => {
    const { mote, runMs } = await bootOne(TIMERS);
    runMs(5000);
    const fires = parse(mote.channel("timer"), "oneshot");
    expect(fires.map((f) => f.now)).toEqual([100, 150]);
    expect(fires[0]!.running).toBe(false);
    expect(fires[0]!.oneShot).toBe(true);
  });

  it("stop: a periodic timer stopped in its fifth handler never fires again", async () => {
    const { mote, runMs } = await bootOne(TIMERS);
    runMs(5000);
    expect(parse(mote.channel("timer"), "stopper").map((f) => f.now)).toEqual([100, 200, 300, 400, 500]);
  });

  it("restart: a one-shot restarted before it fires fires only at the new time", async () => {
    const { mote, runMs } = await bootOne(TIMERS);
    runMs(5000);
    expect(parse(mote.channel("timer"), "restarted").map((f) => f.now)).toEqual([300]);
  });

  it("startPeriodicAt keeps the phase of a t0 in the past", async () => {
    const { mote, runMs } = await bootOne(TIMERS);
    runMs(460);
    expect(parse(mote.channel("timer"), "phased").map((f) => f.now)).toEqual([50, 150, 250, 350, 450]);
  });

  it("32-bit wrap-around: timers keep their period across the counter wrap", async () => {
    const start = 2 ** 32 - 1000;
    const { mote, runMs } = await bootOne(TIMERS, { clockOffsetMs: start });
    runMs(3000);
    const fires = parse(mote.channel("timer"), "periodic");
    expect(fires.map((f) => f.now)).toEqual(
      [300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000].map((t) => (start + t) >>> 0),
    );
    expect(fires.some((f) => f.now < 1000)).toBe(true); // it did wrap
    expect(parse(mote.channel("timer"), "stopper").map((f) => f.now)).toHaveLength(5);
  });
});
