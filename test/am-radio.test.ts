import { describe, expect, it } from "vitest";
import { RadioCountMsg } from "../components/apps/RadioCountMsg.ts";
import { World } from "../tools/sim/World.ts";
import { type AmPacket, decodePacket, SerialReader } from "../tools/serial/index.ts";
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

  it("its frames on the air are TinyOS's: AM type 6, broadcast, a 2-byte big-endian counter that counts up", async () => {
    const lines: string[] = [];
    const world = new World({ seed: 5, trace: (line) => lines.push(line) });
    world.addMote({ id: 1, image: await imageOf("RadioCountToLedsAppC"), bootAtMs: 0 });
    // A BaseStation overhears them and hands each to its serial port as it was on the air.
    world.addMote({ id: 9, image: await imageOf("BaseStationAppC"), bootAtMs: 0 });
    world.setLink(1, 9, -50);
    const sniffed: AmPacket[] = [];
    const reader = new SerialReader({ onPacket: (p) => sniffed.push(p) });
    world.onSerial(9, (bytes) => reader.push(bytes));
    world.runUntil(3_000);
    const tx = lines.map((l) => JSON.parse(l) as { ev: string; src: number; addr: number; type: number; len: number }).filter((e) => e.ev === "tx" && e.src === 1);
    expect(tx.length).toBeGreaterThanOrEqual(10);
    expect(new Set(tx.map((e) => `${e.type} ${e.addr} ${e.len}`))).toEqual(new Set([`6 ${0xffff} 2`]));
    expect(RadioCountMsg.amType).toBe(6);
    expect(sniffed.length).toBeGreaterThanOrEqual(10);
    expect(sniffed.every((p) => p.type === 6 && p.src === 1 && p.dest === 0xffff && p.group === 0x22 && p.payload.length === 2)).toBe(true);
    const counters = sniffed.map((p) => decodePacket(RadioCountMsg, p)!.counter);
    expect(counters).toEqual(counters.map((_, i) => counters[0]! + i));
  });
});
