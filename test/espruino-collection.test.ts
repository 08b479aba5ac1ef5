/**
 * Collection between shimmed Puck.js boards (tools/espruino/shim.ts), over
 * the BLE advertising radio (EspruinoBleRadioP, with its software
 * acknowledgements): one image, as `mote flash` would put it on each
 * board, on four boards in a line where each hears only its neighbours.
 * Mote 500 is the root (TinyOS's rule: node id % 500); the others sample
 * their light sensor and send over CTP, the far ones through the nearer
 * ones; the root writes what arrives to its UART (the Bluetooth console)
 * as TinyOS serial frames, decoded here with the host's codec
 * (tools/serial), as `mote listen` or the base station would.
 *
 * The image is MultihopOscilloscopeC, CollectionC and the serial stack
 * without dissemination (test/fixtures/collection/CollectionOscilloscopeAppC.ts):
 * MultihopOscilloscopeAppC itself does not fit a Puck.js's JsVars yet.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MultihopOscilloscopeMsg } from "../components/apps/MultihopOscilloscopeMsg.ts";
import { HEADER_SIZE } from "../components/message/Message.ts";
import { AM_CTP_DATA, DATA_ORIGIN } from "../components/collection/Ctp.ts";
import { ACK, MOTE_MANUFACTURER, SECOND_PART } from "../platforms/espruino/EspruinoBleRadioP.ts";
import { build, ROOT, type BuildReport } from "../tools/build/build.ts";
import { EspruinoShim, ShimAir } from "../tools/espruino/shim.ts";
import { decodePacket, decodeSerialStream } from "../tools/serial/index.ts";

const ROOT_ID = 500;
/** A line: the root, then motes 1, 2, 3, each in range of its neighbours only. */
const IDS = [ROOT_ID, 1, 2, 3];
const SECONDS = 60;
const BOOT_GAP_MS = 1_300;
/** Each board's light level (0..1), so that each reading tells which board took it. */
const light = (i: number) => 0.1 * (i + 1);

interface LineRun {
  readonly report: BuildReport;
  readonly boards: readonly EspruinoShim[];
  readonly air: ShimAir;
}

const runs = new Map<string, Promise<LineRun>>();
/** Builds the collection image for `board`, flashes it on a line of boards and runs them for SECONDS. */
function line(board: string): Promise<LineRun> {
  let run = runs.get(board);
  if (!run) {
    run = (async () => {
      const entry = path.join(ROOT, "test", "fixtures", "collection", "CollectionOscilloscopeAppC.ts");
      const report = await build({ entry, platform: "espruino", board, write: false, typecheck: false });
      const boards = IDS.map((id, i) => new EspruinoShim({ board, storage: { ".motenode": String(id) }, analog: light(i) }));
      const air = new ShimAir(boards, { rssi: -70, hears: (from, to) => Math.abs(from - to) === 1 });
      // Switched on one after another (BOOT_GAP_MS apart), as boards are: their sampling periods out of step.
      boards.forEach((b, i) => {
        air.runUntil(i * BOOT_GAP_MS);
        b.load(report.image);
      });
      air.runUntil(SECONDS * 1000);
      return { report, boards, air };
    })();
    runs.set(board, run);
  }
  return run;
}

/** The AM frames a board put on the air: whole frames and first parts (AM header on), acknowledgements apart. */
function framesSent(board: EspruinoShim): number[][] {
  return board.advertising
    .filter((a) => a.manufacturer === MOTE_MANUFACTURER && a.manufacturerData && (a.manufacturerData[0]! & ACK) !== ACK && (a.manufacturerData[0]! & SECOND_PART) === 0)
    .map((a) => a.manufacturerData!.slice(1));
}

/** What the root wrote to its UART (the console the board booted with; the REPL moved out of its way), decoded. */
function rootFrames(boards: readonly EspruinoShim[]) {
  const root = boards[0]!;
  return decodeSerialStream(Uint8Array.from(root.serial[root.board.console]!.written));
}
const rootReadings = (boards: readonly EspruinoShim[]) =>
  rootFrames(boards).packets.flatMap((p) => {
    const m = decodePacket(MultihopOscilloscopeMsg, p);
    return m ? [m] : [];
  });

describe.each(["puckjs"])("collection on four %s boards in a line", (boardName) => {
  it("fits the board's JsVars", async () => {
    const { report } = await line(boardName);
    expect(report.figures.jsVarsAtBoot).toBeLessThanOrEqual(report.figures.jsVarsBudget!);
  });

  it("delivers every mote's readings to the root's UART as TinyOS serial frames, the far ones over several hops", async () => {
    const { boards } = await line(boardName);
    const { packets, stats } = rootFrames(boards);
    expect(stats.frames).toBeGreaterThan(0);
    expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
    const readings = rootReadings(boards);
    expect(readings.length).toBe(packets.length);
    // Per mote: the message counters that arrived, in order. Each mote sends one every NREADINGS samples.
    IDS.forEach((id, i) => {
      const mine = readings.filter((m) => m.id === id);
      const counts = mine.map((m) => m.count);
      // A message every NREADINGS samples at the default interval (1,024 ms): about 11 in a minute.
      expect(counts.length, `messages of mote ${id}`).toBeGreaterThanOrEqual(10);
      // None lost, none twice: 0, 1, 2, ... (the last may still be on its way).
      expect(counts).toEqual(counts.map((_, k) => k));
      // The readings that board's sensor gave (Puck.light() as 0..65535).
      for (const m of mine) expect(m.readings).toEqual(m.readings.map(() => Math.round(light(i) * 65535)));
    });
    for (const b of boards) expect(b.uncaught).toEqual([]);
  });

  it("forwards through the motes between: mote 1 relays motes 2's and 3's readings, mote 2 mote 3's, acknowledged hop by hop", async () => {
    const { boards } = await line(boardName);
    // Data frames (AM type 0x71) each board sent, by CTP origin.
    const origins = (b: EspruinoShim) =>
      new Set(framesSent(b).filter((f) => f[6] === AM_CTP_DATA && f.length >= HEADER_SIZE + DATA_ORIGIN + 2).map((f) => (f[HEADER_SIZE + DATA_ORIGIN]! << 8) | f[HEADER_SIZE + DATA_ORIGIN + 1]!));
    // Mote 1 (next to the root) sent its own and motes 2's and 3's readings; mote 2 its own and mote 3's.
    expect([...origins(boards[1]!)].sort()).toEqual([1, 2, 3]);
    expect([...origins(boards[2]!)].sort()).toEqual([2, 3]);
    expect([...origins(boards[3]!)]).toEqual([3]);
    // Unicast to the parent (the next board towards the root), each acknowledged by it: [ACK | seq, source].
    for (let i = 1; i < IDS.length; i++) {
      const dests = framesSent(boards[i]!).filter((f) => f[6] === AM_CTP_DATA).map((f) => (f[0]! << 8) | f[1]!);
      expect(new Set(dests), `parent of mote ${IDS[i]}`).toEqual(new Set([IDS[i - 1]]));
      const acks = boards[i - 1]!.advertising.filter((a) => a.manufacturerData && (a.manufacturerData[0]! & ACK) === ACK);
      expect(acks.some((a) => ((a.manufacturerData![1]! << 8) | a.manufacturerData![2]!) === IDS[i])).toBe(true);
    }
    // Acknowledged, a data frame goes on the air about once per hop: not up to 30 times for want of an
    // acknowledgement (CTP's retries), only again when the next hop was on the air itself and could not answer.
    const hopDeliveries = IDS.reduce((n, id, i) => n + rootReadings(boards).filter((m) => m.id === id).length * i, 0);
    const dataSent = boards.reduce((n, b) => n + framesSent(b).filter((f) => f[6] === AM_CTP_DATA).length, 0);
    expect(hopDeliveries).toBeGreaterThan(50);
    expect(dataSent).toBeGreaterThanOrEqual(hopDeliveries);
    expect(dataSent).toBeLessThanOrEqual(1.25 * hopDeliveries);
  });
});
