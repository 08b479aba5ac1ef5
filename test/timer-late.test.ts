/**
 * Timers when time does not stand still: a handler that takes milliseconds,
 * an alarm interrupt that comes late. SimMote's clock never moves inside a
 * handler and its alarm is never late, so these run the image on StepHost.
 */
import { describe, expect, it } from "vitest";
import { imageOf } from "./support.ts";
import { StepHost } from "./fixtures/kernel/StepHost.ts";

const LATE_START = "test/fixtures/kernel/LateStartAppC.ts";
const DRIFT = "test/fixtures/kernel/DriftProbeAppC.ts";
const WRAP = 2 ** 32 - 450;

interface Fire {
  /** Host time (ms since boot) when the handler ran. */
  readonly at: number;
  readonly name: string;
  /** getNow() and gett0() in the handler, as ms since boot (the counter minus its start). */
  readonly now: number;
  readonly t0: number;
}

async function run(app: string, untilMs: number, offsetMs: number, lateness?: (n: number) => number) {
  const host = new StepHost(offsetMs, lateness);
  (await imageOf(app))(host);
  host.runUntil(untilMs);
  return host.lines.map((line): Fire => {
    const [at, name, now, t0] = line.split(" ");
    return { at: Number(at), name: name!, now: (Number(now) - offsetMs) >>> 0, t0: (Number(t0) - offsetMs) >>> 0 };
  });
}

describe("timers started by a slow handler", () => {
  for (const offset of [0, WRAP]) {
    it(`count from when they were started, not from the alarm event (counter starts at ${offset})`, async () => {
      // First fires at 100 and busy-waits 3 ms, then starts Later (1000 ms)
      // and LaterPeriodic (200 ms), both after it in the alarm's loop.
      const fires = await run(LATE_START, 2000, offset);
      expect(fires.map((f) => `${f.name} ${f.now} ${f.t0}`)).toEqual([
        "first 100 0",
        "periodic 303 303",
        "periodic 503 503",
        "periodic 703 703",
        "periodic 903 903",
        "later 1103 103", // then stops LaterPeriodic, whose 1103 firing comes after it in the loop
      ]);
      for (const f of fires) expect(f.at).toBe(f.now);
    });
  }
});

describe("periodic timers never drift (t0 advances by dt, not to the time it fired)", () => {
  /**
   * Each timer fired once per period up to `untilMs`, its t0 on the grid
   * k * period, never before its time, at most `maxDelay` after it, and on
   * time once the disturbances are over (from `calmFrom`).
   */
  const expectOnGrid = (fires: Fire[], name: string, period: number, untilMs: number, maxDelay: number, calmFrom: number) => {
    const mine = fires.filter((f) => f.name === name);
    expect(mine.map((f) => f.t0)).toEqual(Array.from({ length: Math.floor(untilMs / period) }, (_, k) => (k + 1) * period));
    for (const f of mine) {
      expect(f.now).toBeGreaterThanOrEqual(f.t0);
      expect(f.now - f.t0).toBeLessThanOrEqual(maxDelay);
      if (f.t0 >= calmFrom) expect(f.now).toBe(f.t0);
    }
    return mine;
  };

  for (const offset of [0, WRAP]) {
    it(`late interrupts and a slow handler delay firings but not the grid (counter starts at ${offset})`, async () => {
      // Every third interrupt before 1000 ms comes 40 ms late; Hundred's third handler takes 30 ms.
      const fires = await run(DRIFT, 2000, offset, (n) => (n % 3 === 2 && n < 20 ? 40 : 0));
      const hundred = expectOnGrid(fires, "hundred", 100, 2000, 40 + 30, 1200);
      expectOnGrid(fires, "seventy", 70, 2000, 40 + 30, 1200);
      expect(hundred.filter((f) => f.now > f.t0).length).toBeGreaterThan(1); // it was disturbed
    });
  }

  it("an interrupt later than whole periods: the missed firings follow at once, then the grid resumes", async () => {
    // The second interrupt, due at 100, comes 250 ms late: both timers owe firings then.
    const fires = await run(DRIFT, 2000, 0, (n) => (n === 1 ? 250 : 0));
    expectOnGrid(fires, "hundred", 100, 2000, 250 + 30, 500);
    expectOnGrid(fires, "seventy", 70, 2000, 250 + 30, 500);
    // At 350 one interrupt after another, each firing every timer then due once, until Hundred's third handler takes 30 ms.
    expect(fires.filter((f) => f.at === 350).map((f) => `${f.name} ${f.t0}`)).toEqual([
      "hundred 100",
      "seventy 140",
      "hundred 200",
      "seventy 210",
      "hundred 300",
    ]);
  });
});
