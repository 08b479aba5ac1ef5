import { describe, expect, it } from "vitest";
import { World } from "../tools/sim/World.ts";
import { imageOf } from "./support.ts";

describe("Active Messages on the sim radio: RadioCountToLedsAppC", () => {
  it("each mote shows the low three bits of its neighbour's counter, which counts four times a second", async () => {
    const image = await imageOf("RadioCountToLedsAppC");
    const world = new World({ seed: 3, keepLedTrace: true });
    const a = world.addMote({ id: 1, image, bootAtMs: 0 });
    const b = world.addMote({ id: 2, image, bootAtMs: 40 });
    world.setLink(1, 2, -50); // a strong, symmetric link
    world.runUntil(10_000);
    const [sa, sb] = world.summary().filter((s) => s.id === 1 || s.id === 2);
    // About 40 broadcasts each in 10 s, and nearly all heard on this link.
    expect(sa!.sent).toBeGreaterThanOrEqual(38);
    expect(sb!.received).toBeGreaterThanOrEqual(sa!.sent - 2);
    // The LEDs show counter & 7: 8 values cycling, so every LED changes many times.
    expect(a.ledChanges).toBeGreaterThan(20);
    expect(b.ledChanges).toBeGreaterThan(20);
    // After 10 s mote 1 has counted to 40: the last value mote 2 showed is 40 & 7 (or the one before, in flight).
    expect([40 & 7, 39 & 7]).toContain(b.leds);
  });

  it("a mote alone hears nothing, and its LEDs stay dark though it keeps sending", async () => {
    const image = await imageOf("RadioCountToLedsAppC");
    const world = new World({ seed: 3 });
    const lone = world.addMote({ id: 7, image, bootAtMs: 0 });
    world.runUntil(5_000);
    const s = world.summary().find((x) => x.id === 7)!;
    expect(s.sent).toBeGreaterThanOrEqual(18);
    expect(s.received).toBe(0);
    expect(lone.leds).toBe(0);
  });
});
