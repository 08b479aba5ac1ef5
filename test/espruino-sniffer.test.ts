/**
 * BaseStationAppC on a shimmed Puck.js is a sniffer, as TinyOS's is
 * (apps/BaseStation/Makefile: CFLAGS += -DCC2420_NO_ACKNOWLEDGEMENTS): its
 * BLE radio (EspruinoBleRadioP) acknowledges no frame, not even one
 * addressed to it, and still puts every frame it hears on its UART. The control is the same application wrapped in a
 * configuration that declares no flag: that board acknowledges.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ACK, MOTE_MANUFACTURER } from "../platforms/espruino/EspruinoBleRadioP.ts";
import { build, ROOT } from "../tools/build/build.ts";
import { EspruinoShim } from "../tools/espruino/shim.ts";
import { decodeSerialStream, encodeAmFrame } from "../tools/serial/index.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mote-sniffer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** BaseStationAppC inside a configuration that declares neither radio flag. */
function acking(): string {
  const file = path.join(dir, "AckingBaseStationAppC.ts");
  const at = (p: string) => JSON.stringify(path.join(ROOT, p));
  writeFileSync(
    file,
    [
      `import { configuration } from ${at("components/mote.ts")};`,
      `import { BaseStationAppC } from ${at("configurations/BaseStationAppC.ts")};`,
      `export const AckingBaseStationAppC = configuration("AckingBaseStationAppC", {}, (c) => {`,
      `  c.component(BaseStationAppC);`,
      `});`,
      ``,
    ].join("\n"),
  );
  return file;
}

/** The base station's node id (its AM address), a neighbour's, and another mote's. */
const NODE = 1;
const NEIGHBOUR = 5;
const OTHER = 7;

/**
 * Runs the image on a Puck.js: the PC has it send a frame to the neighbour
 * (the radio learns its own address from the frames it sends), then the
 * neighbour's frames arrive, one addressed to the base station and one to
 * another mote. Returns the board.
 */
async function run(entry: string): Promise<EspruinoShim> {
  const report = await build({ entry, platform: "espruino", board: "puckjs", write: false, typecheck: false });
  const board = new EspruinoShim({ board: "puckjs", storage: { ".motenode": String(NODE) } });
  board.load(report.image);
  board.runMs(500);
  board.receiveSerial(board.board.console, [...encodeAmFrame({ dest: NEIGHBOUR, src: NODE, type: 6, payload: Uint8Array.of(1, 2) })]);
  board.runMs(1_000);
  // [sequence, dest, src, length 2, group 0x22, AM type 6, payload]
  const frame = (seq: number, dest: number) => [seq, dest >> 8, dest & 0xff, 0, NEIGHBOUR, 2, 0x22, 6, 3, 4];
  board.deliverAdvertisement(MOTE_MANUFACTURER, frame(1, NODE));
  board.runMs(1_000);
  board.deliverAdvertisement(MOTE_MANUFACTURER, frame(2, OTHER));
  board.runMs(1_000);
  expect(board.uncaught).toEqual([]);
  return board;
}

const acks = (board: EspruinoShim) => board.advertising.filter((a) => a.manufacturerData && (a.manufacturerData[0]! & ACK) === ACK);
/** The AM packets the board wrote to its UART: (dest, src) of each. */
const uart = (board: EspruinoShim) =>
  decodeSerialStream(Uint8Array.from(board.serial[board.board.console]!.written)).packets.map((p) => [p.dest, p.src]);

describe("BaseStationAppC on a Puck.js (CC2420_NO_ACKNOWLEDGEMENTS)", () => {
  it("sends what the PC gives it", async () => {
    const board = await run(path.join(ROOT, "configurations", "BaseStationAppC.ts"));
    const sent = board.advertising.filter((a) => a.manufacturer === MOTE_MANUFACTURER && (a.manufacturerData![0]! & ACK) !== ACK);
    expect(sent.map((a) => a.manufacturerData!.slice(1, 5))).toEqual([[0, NEIGHBOUR, 0, NODE]]);
  });

  it("acknowledges nothing, and puts every frame it hears on its UART", async () => {
    const board = await run(path.join(ROOT, "configurations", "BaseStationAppC.ts"));
    expect(acks(board)).toEqual([]);
    expect(uart(board)).toEqual([
      [NODE, NEIGHBOUR],
      [OTHER, NEIGHBOUR],
    ]);
  });

  it("built without the flag, the same board acknowledges the frame addressed to it", async () => {
    const board = await run(acking());
    expect(acks(board).map((a) => a.manufacturerData)).toEqual([[ACK | 1, 0, NEIGHBOUR]]);
    expect(uart(board)).toEqual([
      [NODE, NEIGHBOUR],
      [OTHER, NEIGHBOUR],
    ]);
  });
});
