import { describe, expect, it } from "vitest";
import { bootOne } from "./support.ts";

describe("BlinkAppC on the sim platform", () => {
  it("toggles LED 0, 1, 2 every 250, 500, 1000 ms for 10 s, each at the exact millisecond", async () => {
    const { mote, runMs } = await bootOne("BlinkAppC");
    runMs(10_000);
    for (const [led, period] of [[0, 250], [1, 500], [2, 1000]] as const) {
      const changes = mote.ledTrace.filter((c) => c.led === led);
      expect(changes.length).toBe(10_000 / period);
      changes.forEach((c, k) => {
        expect(c.timeMs).toBe((k + 1) * period);
        expect(c.on).toBe(k % 2 === 0);
      });
    }
  });
});
