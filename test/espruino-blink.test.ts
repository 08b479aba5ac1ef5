/**
 * Blink built for `espruino`, run in Node under the Espruino API shim on
 * virtual time (tools/espruino/shim.ts): the LEDs change at exactly the
 * milliseconds the simulator shows, across the 32-bit wrap of the
 * millisecond counter too, and the image is in Espruino's dialect.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, ROOT } from "../tools/build/build.ts";
import { EspruinoShim } from "../tools/espruino/shim.ts";
import { findDialectViolations } from "../platforms/espruino/dialect.ts";
import { bootOne } from "./support.ts";

const blink = () =>
  build({ entry: path.join(ROOT, "configurations", "BlinkAppC.ts"), platform: "espruino", write: false, typecheck: false });

describe("Blink on Espruino (API shim, virtual time)", () => {
  it("toggles the LEDs 40, 20 and 10 times in 10 s, at the same milliseconds as the simulator", async () => {
    const report = await blink();
    const shim = new EspruinoShim({ board: "puckjs" });
    shim.load(report.image);
    shim.runMs(10_000);
    expect(shim.uncaught).toEqual([]);
    const { mote, runMs } = await bootOne("BlinkAppC");
    runMs(10_000);
    expect(shim.ledTrace).toEqual(mote.ledTrace);
    expect(shim.ledTrace.filter((c) => c.led === 0)).toHaveLength(40);
    expect(shim.ledTrace.filter((c) => c.led === 1)).toHaveLength(20);
    expect(shim.ledTrace.filter((c) => c.led === 2)).toHaveLength(10);
    expect(shim.ledTrace[0]).toEqual({ timeMs: 250, led: 0, on: true });
    expect(shim.ledTrace.at(-1)).toEqual({ timeMs: 10_000, led: 2, on: false });
    // One timeout per alarm: a wake-up for every change of the LEDs, none more.
    expect(shim.eventsRun).toBe(40);
    expect(shim.pendingTimers).toBe(1);
  });

  it("keeps time across the 32-bit wrap of the millisecond counter", async () => {
    const report = await blink();
    const offset = 2 ** 32 - 3_300; // getTime() * 1000 wraps 3.3 s in
    const shim = new EspruinoShim({ board: "puckjs", clockOffsetMs: offset });
    shim.load(report.image);
    shim.runMs(10_000);
    const { mote, runMs } = await bootOne("BlinkAppC");
    runMs(10_000);
    expect(shim.uncaught).toEqual([]);
    expect(shim.ledTrace).toEqual(mote.ledTrace);
  });

  it("on a board with two LEDs (Pico) drives the two it has", async () => {
    const report = await build({
      entry: path.join(ROOT, "configurations", "BlinkAppC.ts"),
      platform: "espruino",
      board: "pico",
      write: false,
      typecheck: false,
    });
    const shim = new EspruinoShim({ board: "pico" });
    shim.load(report.image);
    shim.runMs(2_000);
    expect(shim.uncaught).toEqual([]);
    expect(new Set(shim.ledTrace.map((c) => c.led))).toEqual(new Set([0, 1]));
    expect(shim.ledTrace.filter((c) => c.led === 0)).toHaveLength(8);
  });

  it("is in Espruino's dialect and reports its size and JsVars", async () => {
    const report = await blink();
    expect(findDialectViolations(report.image)).toEqual([]);
    expect(report.bytes.minified).toBeLessThan(2_400);
    expect(report.figures.jsVarsAtBoot).toBeGreaterThan(100);
    expect(report.figures.jsVarsAtBoot).toBeLessThan(report.figures.jsVarsBudget!);
    expect(report.figures.jsVarsAtBootCodeInRam).toBeGreaterThan(report.figures.jsVarsAtBoot!);
  });
});
