import { describe, expect, it } from "vitest";
import { bootOne } from "./support.ts";

const PROBE = "test/fixtures/apps/TrickleProbeAppC.ts";

function events(lines: string[]) {
  return lines.map((l) => l.split(" ")).map(([what, ms]) => ({ what: what!, ms: Number(ms) }));
}

describe("TrickleTimerMilliC (low 1 s, high 8 s, k = 1)", () => {
  it("fires once per interval in the interval's second half, doubling up to the high bound", async () => {
    const { mote, runMs } = await bootOne(PROBE);
    runMs(19_999);
    const fired = events(mote.channel("trickle")).filter((e) => e.what === "fired").map((e) => e.ms);
    // Intervals: [0,1000) [1000,3000) [3000,7000) [7000,15000) [15000,23000) ...
    const bounds = [0, 1000, 3000, 7000, 15000];
    const lengths = [1000, 2000, 4000, 8000];
    expect(fired.length).toBe(4);
    fired.forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual(bounds[i]! + lengths[i]! / 2);
      expect(t).toBeLessThan(bounds[i]! + lengths[i]!);
    });
  });

  it("goes back to the low bound on reset, and is suppressed by k consistent messages", async () => {
    const { mote, runMs } = await bootOne(PROBE);
    runMs(80_000);
    const log = events(mote.channel("trickle"));
    const reset = log.find((e) => e.what === "reset")!.ms;
    const after = log.filter((e) => e.what === "fired" && e.ms > reset).map((e) => e.ms);
    // After the reset at 20 s: a 1 s interval again, so a firing within [20.5 s, 21 s).
    expect(after[0]).toBeGreaterThanOrEqual(reset + 500);
    expect(after[0]).toBeLessThan(reset + 1000);
    // From 40 s a consistent message arrives every 100 ms: no firing in any later interval.
    expect(log.filter((e) => e.what === "fired" && e.ms > 40_000 + 8000)).toEqual([]);
  });
});
