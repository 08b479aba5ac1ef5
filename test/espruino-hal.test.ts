/**
 * The espruino HAL beyond Blink, each piece run under the Espruino API shim:
 * the button (setWatch, debounce), the UART (the console device, taken
 * over), the node id from Storage, the sensors behind Read, and the BLE
 * advertising radio between two boards; Blink on each board description.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, ROOT, type BuildReport } from "../tools/build/build.ts";
import { EspruinoShim, SHIM_BOARDS, ShimAir, type ShimBoard } from "../tools/espruino/shim.ts";
import { RadioCountMsg } from "../components/apps/RadioCountMsg.ts";
import { MOTE_MANUFACTURER } from "../platforms/espruino/EspruinoBleRadioP.ts";

const images = new Map<string, Promise<BuildReport>>();
function fixture(app: string, board = "puckjs"): Promise<BuildReport> {
  const key = `${app}@${board}`;
  let report = images.get(key);
  if (!report) {
    report = build({ entry: path.join(ROOT, "test", "fixtures", "espruino", `${app}.ts`), platform: "espruino", board, write: false, typecheck: false });
    images.set(key, report);
  }
  return report;
}

describe("UserButtonC (setWatch)", () => {
  it("notifies presses and releases once the contact is stable, and runs the task loop", async () => {
    const shim = new EspruinoShim({ board: "puckjs" });
    shim.load((await fixture("ButtonLedsAppC")).image);
    shim.runUntil(100);
    shim.pressButton(true);
    shim.runUntil(103);
    shim.pressButton(false); // contact bounce
    shim.runUntil(106);
    shim.pressButton(true);
    shim.runUntil(130);
    expect(shim.leds).toBe(0b000); // not yet stable for 25 ms
    shim.runUntil(131);
    expect(shim.leds).toBe(0b011); // one press: LED 0 toggled on, LED 1 on while held
    shim.runUntil(300);
    shim.pressButton(false);
    shim.runUntil(400);
    expect(shim.leds).toBe(0b001);
    shim.pressButton(true);
    shim.runUntil(500);
    expect(shim.leds).toBe(0b010);
    expect(shim.uncaught).toEqual([]);
  });
});

describe("PlatformUartC (the console device)", () => {
  it("takes the console over and echoes bytes, one send at a time", async () => {
    const shim = new EspruinoShim({ board: "mdbt42q", storage: { ".motenode": "7" } });
    shim.load((await fixture("UartEchoAppC", "mdbt42q")).image);
    expect(shim.consoleDevice).toBe("LoopbackA");
    shim.receiveSerial("Serial1", [0x10]);
    expect(shim.serial.Serial1!.written).toEqual([0x11]);
    shim.receiveSerial("Serial1", [0x20, 0x30]); // the second arrives while the first is outstanding: dropped
    expect(shim.serial.Serial1!.written).toEqual([0x11, 0x21]);
    shim.receiveSerial("Serial1", [0x3f]); // `?`: the node id from Storage
    expect(shim.serial.Serial1!.written).toEqual([0x11, 0x21, 7]);
    expect(shim.leds & 1).toBe(1); // three sendDones toggled LED 0
    expect(shim.uncaught).toEqual([]);
  });

  it("uses USB on a Pico, and the node id defaults to 1", async () => {
    const shim = new EspruinoShim({ board: "pico" });
    shim.load((await fixture("UartEchoAppC", "pico")).image);
    shim.receiveSerial("USB", [0x3f]);
    expect(shim.serial.USB!.written).toEqual([1]);
    expect(shim.serial.Serial1!.written).toEqual([]);
  });
});

describe("sensors behind Read", () => {
  it("reads temperature (hundredths of °C), light and an analog pin, each done from a task", async () => {
    const shim = new EspruinoShim({ board: "puckjs", temperature: 25, analog: 0.75 });
    shim.load((await fixture("SensorLedsAppC")).image);
    shim.runMs(1_000);
    expect(shim.leds).toBe(0b111);
    shim.temperature = 19.5;
    shim.analog = 0.25;
    shim.runMs(1_000);
    expect(shim.leds).toBe(0b000);
    expect(shim.uncaught).toEqual([]);
  });

  it("the light sensor reads EOFF on a board without one", async () => {
    const shim = new EspruinoShim({ board: "mdbt42q", temperature: 25, analog: 0.75 });
    shim.load((await fixture("SensorLedsAppC", "mdbt42q")).image);
    shim.runMs(1_000);
    expect(shim.uncaught).toEqual([]);
  });
});

describe("PlatformRadioC (BLE advertising)", () => {
  it("advertises each packet as manufacturer data for a burst, then restores advertising", async () => {
    const shim = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "5" } });
    shim.load((await fixture("RadioCountAppC")).image);
    expect(shim.scanCallback).toBeDefined();
    expect(shim.scanOptions).toEqual({ filters: [{ manufacturerData: { [MOTE_MANUFACTURER]: {} } }] });
    shim.runMs(1_000);
    expect(shim.advertising).toHaveLength(1);
    const adv = shim.advertising[0]!;
    expect(adv.manufacturer).toBe(0x0590);
    // seq, then dest ffff, src 0005, length 1, group 0x22, type 6, payload: count 1
    expect(adv.manufacturerData).toEqual([1, 0xff, 0xff, 0x00, 0x05, 1, 0x22, 6, 1]);
    shim.runMs(500);
    expect(shim.advertising).toHaveLength(2);
    expect(shim.advertising[1]!.manufacturer).toBeUndefined(); // the normal advertising is back
    shim.runMs(1_000);
    expect(shim.advertising[2]!.manufacturerData).toEqual([2, 0xff, 0xff, 0x00, 0x05, 1, 0x22, 6, 2]);
    expect(shim.uncaught).toEqual([]);
  });

  it("carries counts between two boards, dropping the repeats of a burst", async () => {
    const image = (await fixture("RadioCountAppC")).image;
    const a = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "1" } });
    const b = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "2" } });
    a.load(image);
    b.load(image);
    let delivered = 0;
    for (let t = 0; t <= 5_100; t += 20) {
      a.runUntil(t);
      b.runUntil(t);
      // b hears a at every advertising interval of its bursts.
      const last = a.advertising.at(-1);
      if (last?.manufacturerData) delivered += b.deliverAdvertisement(last.manufacturer!, last.manufacturerData, -70) ? 1 : 0;
    }
    expect(delivered).toBeGreaterThan(20); // many copies heard...
    expect(b.leds & 3).toBe(5 & 3); // ...of a's five counts
    expect(b.ledTrace.filter((c) => c.led === 2)).toHaveLength(5); // ...each received once
    expect(b.uncaught).toEqual([]);
  });

  it("RadioCountToLedsAppC on two Puck.js boards: each shows the other's counts, through the air between their shims", async () => {
    const report = await build({ entry: path.join(ROOT, "configurations", "RadioCountToLedsAppC.ts"), platform: "espruino", board: "puckjs", write: false, typecheck: false });
    const a = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "1" } });
    const b = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "2" } });
    a.load(report.image);
    b.load(report.image);
    const air = new ShimAir([a, b], { rssi: -70 });
    air.runUntil(10_000);
    // What each board sent: the counter in each advertised AM packet (sequence byte, 7-byte header, payload).
    const counts = (s: EspruinoShim) =>
      s.advertising.filter((x) => x.manufacturerData).map((x) => RadioCountMsg.get.counter(Uint8Array.from(x.manufacturerData!), 8));
    for (const [sender, receiver] of [[a, b], [b, a]] as const) {
      const sent = counts(sender);
      expect(sent.length).toBeGreaterThan(30); // four counts a second, the ones sent while a burst was on the air skipped
      // Every count sent was heard once (repeats of a burst dropped), in order: the receiver's LEDs showed each one's low bits.
      const shown: { timeMs: number; value: number }[] = [];
      let value = 0;
      for (const c of receiver.ledTrace) {
        value = c.on ? value | (1 << c.led) : value & ~(1 << c.led);
        if (shown.at(-1)?.timeMs === c.timeMs) shown.at(-1)!.value = value; // Leds.set: one LED after another, at once
        else shown.push({ timeMs: c.timeMs, value });
      }
      const expected = sent.map((n) => n & 7);
      expect(shown.length).toBeGreaterThanOrEqual(expected.length - 1); // the last may still be on the air
      expect(shown.map((x) => x.value)).toEqual(expected.slice(0, shown.length));
    }
    expect(air.heard[0]).toBeGreaterThan(counts(b).length); // several copies of each burst reached a...
    expect(a.uncaught).toEqual([]);
    expect(b.uncaught).toEqual([]);
  });

  it("ignores advertisements that are not mote frames", async () => {
    const shim = new EspruinoShim({ board: "puckjs" });
    shim.load((await fixture("RadioCountAppC")).image);
    shim.deliverAdvertisement(0x0590, [1, 2, 3]); // too short
    shim.deliverAdvertisement(0x0590, [1, 0xff, 0xff, 0, 9, 5, 0x22, 6, 3]); // length byte says 5, one byte came
    expect(shim.leds).toBe(0);
    expect(shim.deliverAdvertisement(0x004c, [1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe(false); // another company: filtered by the scan
    expect(shim.uncaught).toEqual([]);
  });
});

describe("LedsC on every board description (Blink)", () => {
  const blink = (board: string) =>
    build({ entry: path.join(ROOT, "configurations", "BlinkAppC.ts"), platform: "espruino", board, write: false, typecheck: false });

  // What each board's firmware names (Espruino's boards/*.py): the shim boards of tools/espruino/shim.ts,
  // except the ESP32, modelled as a DevKit: no LED1 in the firmware, the blue LED on D2 (GPIO2).
  const boards: [string, ShimBoard, number][] = [
    ["pico", SHIM_BOARDS.pico!, 2],
    ["puckjs", SHIM_BOARDS.puckjs!, 3],
    ["mdbt42q", SHIM_BOARDS.mdbt42q!, 1],
    ["esp32", { ...SHIM_BOARDS.esp32!, leds: ["D2"] }, 1],
    ["esp8266", { ...SHIM_BOARDS.esp8266!, leds: ["D2"], ledsActiveLow: 1 }, 1],
  ];

  it.each(boards)("Blink built for %s drives the LEDs that board has", async (name, shimBoard, ledCount) => {
    const report = await blink(name);
    expect(report.board).toBe(name);
    expect(report.figures.jsVarsAtBoot).toBeLessThanOrEqual(report.figures.jsVarsBudget!);
    const shim = new EspruinoShim({ board: shimBoard });
    shim.load(report.image);
    shim.runMs(2_000);
    expect(shim.uncaught).toEqual([]);
    expect(new Set(shim.ledTrace.map((c) => c.led))).toEqual(new Set(Array.from({ length: ledCount }, (_, i) => i)));
    // LED 0 toggles every 250 ms: 8 changes in 2 s, on and off in turn.
    // An active-low LED (the ESP8266's) is lit at reset, when pins start low, until the image switches it off at boot.
    const led0 = shim.ledTrace.filter((c) => c.led === 0 && c.timeMs > 0);
    expect(shim.ledTrace.filter((c) => c.timeMs === 0)).toEqual(shimBoard.ledsActiveLow ? [{ timeMs: 0, led: 0, on: false }] : []);
    expect(led0.map((c) => c.timeMs)).toEqual([250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
    expect(led0.map((c) => c.on)).toEqual([true, false, true, false, true, false, true, false]);
  });

  it("the ESP32 firmware names no LED1, so the image drives D2; a board naming LED1 never touches D2", async () => {
    const esp32 = new EspruinoShim({ board: { ...SHIM_BOARDS.esp32!, leds: ["D2"] } });
    expect(esp32.globals().LED1).toBeUndefined();
    esp32.load((await blink("esp32")).image);
    esp32.runMs(500);
    expect(esp32.pin("D2").value).toBe(0);
    expect(esp32.ledTrace).toEqual([
      { timeMs: 250, led: 0, on: true },
      { timeMs: 500, led: 0, on: false },
    ]);
    // The ESP8266's ESP-12 LED on D2 is lit when the pin is low: off at boot means D2 high, lit means low.
    const esp8266 = new EspruinoShim({ board: { ...SHIM_BOARDS.esp8266!, leds: ["D2"], ledsActiveLow: 1 } });
    esp8266.load((await blink("esp8266")).image);
    esp8266.runMs(100);
    expect(esp8266.pin("D2").value).toBe(1);
    esp8266.runMs(150);
    expect(esp8266.pin("D2").value).toBe(0);
    expect(esp8266.ledTrace.at(-1)).toEqual({ timeMs: 250, led: 0, on: true });
    const mdbt = new EspruinoShim({ board: "mdbt42q" });
    mdbt.load((await blink("mdbt42q")).image);
    mdbt.runMs(250);
    expect(mdbt.pin("D2").value).not.toBe(1);
    expect(mdbt.ledTrace).toEqual([{ timeMs: 250, led: 0, on: true }]);
  });
});
