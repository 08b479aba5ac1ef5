import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MICA_ENERGY } from "../tools/sim/Energy.ts";
import { sensorFromCsv, sensorFromCsvFile, SensorTraceError } from "../tools/sim/Sensors.ts";
import { World } from "../tools/sim/World.ts";
import { imageOf } from "./support.ts";

describe("energy", () => {
  it("a known duty cycle costs what the hand calculation says (within 1%)", async () => {
    const world = new World();
    world.addMote({ id: 1, image: await imageOf("test/fixtures/sim/DutyCycleAppC.ts"), bootAtMs: 0 });
    world.runUntil(3_600_500); // one hour and a half second: 3600 periods

    // By hand, from the MICA table. Per period (1 s): the radio is on 100 ms,
    // of which one 20-byte frame (11 + 7 + 20 bytes at 32 µs) transmits; the
    // CPU wakes three times (the period timer, the send-done, the 100 ms
    // timer), twice with the radio on; the light sensor is read once. Plus
    // the boot, with the radio off. The rest of the time the CPU sleeps:
    // idle while the radio is on, suspended while it is off.
    const periods = 3600;
    const seconds = 3600.5;
    const active = 250e-6; // per wake-up
    const tx = (11 + 7 + 20) * 32e-6;
    const radioOn = periods * 0.1;
    const wakeOn = periods * 2;
    const wakeOff = periods + 1;
    const mAs =
      (wakeOn + wakeOff) * active * 4.6 +
      (radioOn - wakeOn * active) * 2.4 +
      (seconds - radioOn - wakeOff * active) * 0.01 +
      periods * tx * 12 +
      (radioOn - periods * tx) * 3.6 +
      periods * 1e-3 * 1.235;
    const handMa = mAs / seconds;
    const report = world.energy(1);
    expect(Math.abs(report.averageMa - handMa) / handMa).toBeLessThan(0.01);
    expect(report.totalMah).toBeCloseTo(mAs / 3600, 6);
    expect(report.lifetimeDays).toBeCloseTo(2850 / handMa / 24, 0);
    const state = (name: string) => report.states.find((s) => s.name === name)!;
    expect(state("radio tx").seconds).toBeCloseTo(periods * tx, 6);
    expect(state("radio rx").seconds).toBeCloseTo(radioOn - periods * tx, 6);
    expect(state("radio off").seconds).toBeCloseTo(seconds - radioOn, 6);
    expect(state("photo").seconds).toBeCloseTo(periods * 1e-3, 6);
    expect(state("cpu active").seconds).toBeCloseTo((wakeOn + wakeOff) * active, 6);
  });

  it("takes a platform's own table", async () => {
    const world = new World({ energy: { platform: "test", radioRxMa: 20, cpuIdleMa: 0, cpuActiveMa: 0, cpuSuspendMa: 0 } });
    world.addMote({ id: 0, image: await imageOf("test/fixtures/sim/ListenerAppC.ts"), bootAtMs: 0 });
    world.runUntil(10_000);
    const report = world.energy(0);
    expect(report.platform).toBe("test");
    expect(report.averageMa).toBeCloseTo(20, 6); // the radio listens all the time
    expect(report.lifetimeDays).toBeCloseTo(MICA_ENERGY.batteryMah / 20 / 24, 6);
  });
});

describe("accounting at power-off", () => {
  it("a frame cut short by power-off is charged the transmit time it spent on the air", async () => {
    const image = await imageOf("test/fixtures/sim/BeaconProbeAppC.ts");
    const lines: string[] = [];
    const first = new World({ trace: (l) => lines.push(l) });
    first.addMote({ id: 0, image, bootAtMs: 0 });
    first.runUntil(1500);
    const tx = lines.map((l) => JSON.parse(l) as { t: number; ev: string }).find((l) => l.ev === "tx")!;
    const air = (11 + 7 + 20) * 32e-6;
    expect(first.energy(0).states.find((s) => s.name === "radio tx")!.seconds).toBeCloseTo(air, 9);
    // The same run (same seed), with the power cut 0.4 ms into that first frame.
    const cut = new World();
    cut.addMote({ id: 0, image, bootAtMs: 0 });
    cut.turnOffAt(0, tx.t * 1000 + 0.4);
    cut.runUntil(1500);
    const report = cut.energy(0);
    expect(report.states.find((s) => s.name === "radio tx")!.seconds).toBeCloseTo(0.4e-3, 9);
    expect(report.states.find((s) => s.name === "radio rx")!.seconds).toBeCloseTo(tx.t, 6); // on from boot to the cut, less the 0.4 ms sending
    expect(cut.mote(0).counters.transmissions).toBe(1);
  });

  it("LEDs going dark at power-off are not counted as the application's LED toggles", async () => {
    const lines: string[] = [];
    const world = new World({ trace: (l) => lines.push(l) });
    world.addMote({ id: 1, image: await imageOf("test/fixtures/sim/LifeCounterAppC.ts"), bootAtMs: 0 });
    world.runUntil(1050);
    const mote = world.mote(1);
    // LEDs show count & 7 for counts 1..10: 1+2+1+3+1+2+1+3+1+2 bits changed.
    expect(mote.ledChanges).toBe(17);
    expect(mote.leds).toBe(2);
    world.turnOff(1);
    expect(mote.leds).toBe(0);
    expect(mote.ledChanges).toBe(17);
    expect(world.summary()[0]!.ledToggles).toBe(17);
    expect(lines.at(-2)).toBe('{"t":1.05,"ev":"led","mote":1,"led":1,"on":false}'); // the trace still shows it go dark
    expect(lines.at(-1)).toContain('"ev":"off"');
  });
});

describe("sensors", () => {
  it("readings come from a function of time and position, or a CSV trace; reads are split-phase", async () => {
    const world = new World();
    const image = await imageOf("test/fixtures/sim/SensorProbeAppC.ts");
    world.addMote({ id: 0, image, bootAtMs: 0, position: { x: 10, y: 0 } });
    world.addMote({ id: 1, image, bootAtMs: 0, position: { x: 20, y: 0 } });
    world.setSensor(0, (t, mote) => Math.round(100 * t + mote.position.x));
    world.setSensor(1, sensorFromCsv("time,0,1\n0,20,30\n2,22,40\n", "temps.csv"));
    world.runUntil(2500);
    const m0 = world.mote(0).channel("sensor");
    const m1 = world.mote(1).channel("sensor");
    expect(m0[0]).toBe("again 5"); // EBUSY while the first read is pending
    expect(m0).not.toContain("inside"); // readDone never comes from inside read
    expect(m0.filter((l) => l.startsWith("light"))).toEqual(["light 0 60", "light 0 110", "light 0 160", "light 0 210", "light 0 260"]);
    expect(m1.filter((l) => l.startsWith("light"))).toEqual(["light 0 70", "light 0 120", "light 0 170", "light 0 220", "light 0 270"]);
    expect(m0.filter((l) => l.startsWith("temp"))).toEqual(["temp 0 20.5", "temp 0 21", "temp 0 21.5", "temp 0 22", "temp 0 22"]);
    expect(m1.filter((l) => l.startsWith("temp"))).toEqual(["temp 0 32.5", "temp 0 35", "temp 0 37.5", "temp 0 40", "temp 0 40"]);
    // Each reading powers its sensor for 1 ms: MICA's photo sensor draws 1.235 mA, its temperature sensor 0.150 mA.
    const report = world.energy(0);
    const temperature = report.states.find((s) => s.name === "temperature")!;
    expect(temperature.seconds).toBeCloseTo(5e-3, 9);
    expect(temperature.ma).toBe(0.15);
    expect(temperature.mah).toBeCloseTo((5e-3 * 0.15) / 3600, 12);
    const photo = report.states.find((s) => s.name === "photo")!;
    expect(photo.ma).toBe(1.235);
    expect(photo.mah).toBeCloseTo((5e-3 * 1.235) / 3600, 12);
  });

  it("reads a CSV trace from a file (sensorFromCsvFile), naming the file in errors", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mote-sim-csv-"));
    try {
      const file = path.join(dir, "light.csv");
      writeFileSync(file, "# lux by the window\ntime,value\n0,100\n1,300\n\n3,300\n4,0\n");
      const world = new World();
      world.addMote({ id: 0, image: await imageOf("test/fixtures/sim/SensorProbeAppC.ts"), bootAtMs: 0 });
      world.setSensor(0, sensorFromCsvFile(file));
      world.runUntil(4500);
      // Read every 0.5 s from 0.5 s: interpolated between the samples, held after the last.
      const light = world.mote(0).channel("sensor").filter((l) => l.startsWith("light"));
      expect(light.map((l) => Number(l.split(" ")[2]))).toEqual([200, 300, 300, 300, 300, 300, 150, 0, 0]);
      writeFileSync(file, "time,value\n0,1\n1\n");
      expect(() => sensorFromCsvFile(file)).toThrow(`${file}:3: expected 2 numbers, got "1"`);
      expect(() => sensorFromCsvFile(path.join(dir, "none.csv"))).toThrow(SensorTraceError);
      expect(() => sensorFromCsvFile(path.join(dir, "none.csv"))).toThrow(`${path.join(dir, "none.csv")}: cannot read the sensor trace: ENOENT`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a CSV trace it cannot read, naming the line", () => {
    expect(() => sensorFromCsv("time,value\n0,1\n1,x\n", "bad.csv")).toThrow(/bad\.csv:3: expected 2 numbers/);
    expect(() => sensorFromCsv("time,value\n2,1\n1,3\n", "bad.csv")).toThrow(/bad\.csv:3: time goes backwards/);
  });
});
