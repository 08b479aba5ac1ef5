/**
 * Blink built for `moddable`, run on the real XS engine (tools/xs) under an
 * ECMA-419 + Moddable Timer shim on virtual time
 * (platforms/moddable/test-support/xsShim.ts): the LEDs change at exactly
 * the milliseconds the simulator shows, and a timer event allocates nothing.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, ROOT, type BuildReport } from "../tools/build/build.ts";
import { openXs } from "../tools/xs/XsRunner.ts";
import type { LedChange } from "../tools/sim/SimMote.ts";
import { MODDABLE_XS_PRELUDE } from "../platforms/moddable/test-support/xsShim.ts";
import { bootOne } from "./support.ts";

let blink: Promise<BuildReport> | undefined;
const blinkImage = () =>
  (blink ??= build({ entry: path.join(ROOT, "configurations", "BlinkAppC.ts"), platform: "moddable", write: false, typecheck: false }));

async function onXs<T>(options: Record<string, unknown>, image: string, script: string): Promise<T> {
  const xs = await openXs({ meteringLimit: 0 });
  try {
    await xs.evaluate(`var moteShimOptions = ${JSON.stringify(options)};`);
    await xs.evaluate(MODDABLE_XS_PRELUDE);
    await xs.evaluate(image);
    const run = await xs.evaluate(script);
    return run.output[0] as T;
  } finally {
    await xs.close();
  }
}

describe("Blink on Moddable (XS engine, ECMA-419 + Timer shim)", () => {
  it("toggles the LEDs 40, 20 and 10 times in 10 s, at the same milliseconds as the simulator", async () => {
    const report = await blinkImage();
    const trace = await onXs<LedChange[]>({}, report.image, "moteShim.runMs(10000); report(moteShim.ledTrace());");
    const { mote, runMs } = await bootOne("BlinkAppC");
    runMs(10_000);
    expect(trace).toEqual(mote.ledTrace);
    expect(trace.filter((c) => c.led === 0)).toHaveLength(40);
    expect(trace.filter((c) => c.led === 1)).toHaveLength(20);
    expect(trace.filter((c) => c.led === 2)).toHaveLength(10);
  });

  it("keeps time across the 32-bit wrap of Time.ticks, with LEDs wired to the supply", async () => {
    const report = await blinkImage();
    const trace = await onXs<LedChange[]>({ clockOffsetMs: 2 ** 32 - 4_100, ledsInverted: true }, report.image, "moteShim.runMs(10000); report(moteShim.ledTrace());");
    const { mote, runMs } = await bootOne("BlinkAppC");
    runMs(10_000);
    expect(trace).toEqual(mote.ledTrace);
  });

  it("arms one Timer, once, and reschedules it: one timer event per LED change, none allocated per event", async () => {
    const report = await blinkImage();
    const xs = await openXs({ meteringLimit: 0 });
    try {
      await xs.evaluate(`var moteShimOptions = {};`);
      await xs.evaluate(MODDABLE_XS_PRELUDE);
      await xs.evaluate(report.image);
      await xs.evaluate("moteShim.tracing = false; moteShim.runMs(1000);");
      // The same text run for 0, 0 and 100 s, each after a collection: the two empty runs measure the runner's own drift.
      await xs.evaluate("var spans = [0, 0, 100000], span = 0;");
      const step = "gc(); moteShim.runMs(spans[span++]);";
      const empty1 = await xs.evaluate(step);
      const empty2 = await xs.evaluate(step);
      const run = await xs.evaluate(step);
      const after = await xs.evaluate("report([moteShim.events, moteShim.timersPending(), moteShim.toggles]);");
      const [events, pending, toggles] = after.output[0] as number[];
      expect(pending).toBe(1);
      expect(events).toBe(400 + 4); // 4 alarm events a second over 101 s, and no others
      expect(toggles).toBeGreaterThan(700);
      expect(run.heapCount - empty2.heapCount - (empty2.heapCount - empty1.heapCount)).toBe(0);
    } finally {
      await xs.close();
    }
  });
});

describe("the moddable HAL beyond Blink (XS engine)", () => {
  it("the UART: ECMA-419 Serial in the number format, writing as room allows; the node id from moteConfig", async () => {
    const report = await build({
      entry: path.join(ROOT, "test", "fixtures", "espruino", "UartEchoAppC.ts"),
      platform: "moddable",
      write: false,
      typecheck: false,
    });
    const result = await onXs<{ written: number[]; toggles: number }>(
      { nodeId: 9 },
      report.image,
      `moteShim.runMs(1);
       moteShim.receive([0x10]); moteShim.runMs(1);
       moteShim.receive([0x3f]); moteShim.runMs(1);
       report({ written: moteShim.written, toggles: moteShim.toggles });`,
    );
    expect(result).toEqual({ written: [0x11, 9], toggles: 2 });
  });

  it.each(["BlinkAppC", "CountToLedsAppC", "NullAppC", "GenericBlinkAppC", "ParameterizedAppC", "FanOutAppC", "DefaultHandlerAppC"])(
    "%s builds for moddable and starts on XS",
    async (app) => {
      const report = await build({ entry: path.join(ROOT, "configurations", `${app}.ts`), platform: "moddable", write: false, typecheck: false });
      const events = await onXs<number>({}, report.image, "report(moteShim.runMs(3000));");
      expect(events).toBeGreaterThanOrEqual(app === "NullAppC" || app === "FanOutAppC" ? 0 : 3);
    },
  );
});

