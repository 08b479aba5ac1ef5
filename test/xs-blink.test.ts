import { describe, expect, it } from "vitest";
import { ledTraceOnXs, eventCostOnXs } from "../tools/xs/moteOnXs.ts";
import { buildApp, bootOne } from "./support.ts";

describe("Blink on the Moddable XS engine", () => {
  it("gives the same LED trace on XS as in the simulator, at the exact milliseconds", async () => {
    const report = await buildApp("BlinkAppC");
    const onXs = await ledTraceOnXs(report.image, 10_000);
    const { mote, runMs } = await bootOne("BlinkAppC");
    runMs(10_000);
    expect(onXs).toEqual(mote.ledTrace);
    expect(onXs.filter((c) => c.led === 0)).toHaveLength(40);
    expect(onXs.filter((c) => c.led === 1)).toHaveLength(20);
    expect(onXs.filter((c) => c.led === 2)).toHaveLength(10);
  });

  it("allocates nothing per timer event: the XS live heap stays flat over 20,000 events", async () => {
    const report = await buildApp("BlinkAppC");
    const cost = await eventCostOnXs(report.image, "mote(benchHost)", 20_000);
    expect(cost.toggles).toBeGreaterThan(0);
    expect(cost.heapGrowth).toBe(0);
  });

  it("the heap check sees an allocation: a host that allocates once per LED change grows the heap", async () => {
    const report = await buildApp("BlinkAppC");
    const leaky = `var kept = []; var plainSetLed = benchHost.setLed;
      benchHost.setLed = function (i, on) { kept.push({ i: i }); plainSetLed(i, on); };`;
    const cost = await eventCostOnXs(`${report.image}\n${leaky}`, "mote(benchHost)", 2_000);
    expect(cost.heapGrowth).toBeGreaterThanOrEqual(cost.toggles);
  });
});
