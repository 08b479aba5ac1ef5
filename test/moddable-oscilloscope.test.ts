/**
 * Oscilloscope built for `moddable`, run on the real XS engine (tools/xs)
 * under the ECMA-419 + Timer shim on virtual time. The moddable platform has
 * no radio HAL yet, so the image is Oscilloscope with its Active Messages on
 * the serial port (test/fixtures/boards/SerialOscilloscopeAppC.ts): what it
 * writes to the ECMA-419 Serial is decoded as TinyOS serial frames and
 * checked reading by reading, its LEDs counted, and a long run shows that
 * sampling and sending allocate nothing on XS.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OscilloscopeMsg } from "../components/apps/OscilloscopeMsg.ts";
import { decodeMessage, emptyMessage, encodeMessage } from "../components/message/MessageCodec.ts";
import { build, ROOT, type BuildReport } from "../tools/build/build.ts";
import { decodeSerialStream, encodeAmFrame } from "../tools/serial/index.ts";
import { openXs, type XsEngine } from "../tools/xs/XsRunner.ts";
import { MODDABLE_XS_PRELUDE } from "../platforms/moddable/test-support/xsShim.ts";
import type { LedChange } from "../tools/sim/SimMote.ts";

let serialScope: Promise<BuildReport> | undefined;
const image = () =>
  (serialScope ??= build({
    entry: path.join(ROOT, "test", "fixtures", "boards", "SerialOscilloscopeAppC.ts"),
    platform: "moddable",
    write: false,
    typecheck: false,
  }));

/** The ADC value (12 bits) at tick k, and the 16-bit reading the mote should make of it. */
const adc = (k: number) => (k * 97) % 4096;
const reading = (k: number) => Math.round((adc(k) * 65535) / 4095);
const expectedReadings = (firstTick: number) => Array.from({ length: 10 }, (_, i) => reading(firstTick + i));

async function withXs<T>(options: Record<string, unknown>, run: (xs: XsEngine) => Promise<T>): Promise<T> {
  const xs = await openXs({ meteringLimit: 0 });
  try {
    await xs.evaluate(`var moteShimOptions = ${JSON.stringify(options)};`);
    await xs.evaluate(MODDABLE_XS_PRELUDE);
    await xs.evaluate((await image()).image);
    return await run(xs);
  } finally {
    await xs.close();
  }
}

/** XS script: `ticks` samples of `interval` ms from tick `from`, the ADC set before each. */
const sampling = (from: number, ticks: number, interval: number, start: number) =>
  `for (var k = ${from}; k < ${from + ticks}; k++) { moteShim.analog = (k * 97) % 4096; moteShim.runMs(${start} + k * ${interval} - moteShim.now()); }`;

describe("Oscilloscope on Moddable (XS engine, ECMA-419 Serial)", () => {
  it("writes each ten readings as a TEP 113 frame, takes a new interval from the PC, and shows sends and receptions on its LEDs", async () => {
    const result = await withXs({ nodeId: 21 }, async (xs) => {
      await xs.evaluate(sampling(1, 22, 256, 0));
      const first = (await xs.evaluate("report(moteShim.written.slice());")).output[0] as number[];
      const command = encodeMessage(OscilloscopeMsg, { ...emptyMessage(OscilloscopeMsg), version: 3, interval: 700 });
      const frame = [...encodeAmFrame({ type: OscilloscopeMsg.amType, payload: command })];
      await xs.evaluate(`moteShim.receive(${JSON.stringify(frame)});`);
      await xs.evaluate(sampling(1, 11, 700, 22 * 256));
      const after = await xs.evaluate("report({ written: moteShim.written, trace: moteShim.ledTrace() });");
      return { first, ...(after.output[0] as { written: number[]; trace: LedChange[] }) };
    });
    const before = decodeSerialStream(Uint8Array.from(result.first));
    expect(before.stats.noise).toBe(0);
    expect(before.packets.map((p) => decodeMessage(OscilloscopeMsg, p.payload))).toEqual([
      { version: 0, interval: 256, id: 21, count: 0, readings: expectedReadings(1) },
      { version: 0, interval: 256, id: 21, count: 1, readings: expectedReadings(11) },
    ]);
    const all = decodeSerialStream(Uint8Array.from(result.written));
    expect(all.packets).toHaveLength(3);
    expect(Object.values(all.stats.dropped).every((n) => n === 0)).toBe(true);
    expect(decodeMessage(OscilloscopeMsg, all.packets[2]!.payload)).toEqual({ version: 3, interval: 700, id: 21, count: 2, readings: expectedReadings(1) });
    expect(result.trace.filter((c) => c.led === 1)).toHaveLength(3); // one per message sent
    expect(result.trace.filter((c) => c.led === 2)).toHaveLength(1); // the PC's message
    expect(result.trace.filter((c) => c.led === 0)).toHaveLength(0); // no trouble
  });

  it("allocates nothing while it samples and sends: the XS heap stays flat over 1,000 messages", async () => {
    await withXs({}, async (xs) => {
      await xs.evaluate("moteShim.tracing = false; moteShim.runMs(10000);");
      // The same text run for 0, 0 and 2,560 s, each after a collection: the two empty runs measure the runner's own drift.
      await xs.evaluate("var spans = [0, 0, 2560000], span = 0;");
      const step = "gc(); moteShim.runMs(spans[span++]);";
      const empty1 = await xs.evaluate(step);
      const empty2 = await xs.evaluate(step);
      const run = await xs.evaluate(step);
      const [toggles, bytes] = (await xs.evaluate("report([moteShim.toggles, moteShim.bytesWritten]);")).output[0] as number[];
      expect(toggles).toBeGreaterThanOrEqual(1000); // LED 1, once per message
      expect(bytes).toBeGreaterThanOrEqual(1000 * (OscilloscopeMsg.size + 12)); // each a frame: flags, protocol, dispatch, header, CRC
      expect(run.heapCount - empty2.heapCount - (empty2.heapCount - empty1.heapCount)).toBe(0);
    });
  });
});
