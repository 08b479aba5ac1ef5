/**
 * Collection between shimmed nRF52 boards, Puck.js and MDBT42Q
 * (tools/espruino/shim.ts), over the BLE advertising radio
 * (EspruinoBleRadioP, with its software acknowledgements): one image, as
 * `mote flash` would put it on each board, on four boards in a line where
 * each hears only its neighbours. Mote 500 is the root (TinyOS's rule: node
 * id % 500); the others sample their demo sensor (light on a Puck.js, the
 * temperature on an MDBT42Q) and send over CTP, the far ones through the
 * nearer ones; the root writes what arrives to its UART (the console) as
 * TinyOS serial frames, decoded here with the host's codec (tools/serial),
 * as `mote listen` or the base station would.
 *
 * The image is configurations/MultihopOscilloscopeAppC.ts itself, as
 * built for the board (CTP's forwarding pool at the board's FORWARD_COUNT).
 * Half-way, the PC sends the root a newer sampling interval over its UART,
 * as `mote basestation send --interval` does; the root disseminates it and
 * every board samples at the new interval from then on.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AM_OSCILLOSCOPE, DEFAULT_INTERVAL, MultihopOscilloscopeMsg } from "../components/apps/MultihopOscilloscopeMsg.ts";
import { HEADER_SIZE } from "../components/message/Message.ts";
import { AM_CTP_DATA, CTP_DATA_HEADER_SIZE, DATA_ORIGIN, DATA_SEQNO, DEFAULT_FORWARD_COUNT } from "../components/collection/Ctp.ts";
import { ACK, MOTE_MANUFACTURER, SECOND_PART } from "../platforms/espruino/EspruinoBleRadioP.ts";
import { build, ROOT, type BuildReport } from "../tools/build/build.ts";
import { EspruinoShim, ShimAir } from "../tools/espruino/shim.ts";
import { decodePacket, decodeSerialStream, encodeAmFrame, encodeMessage } from "../tools/serial/index.ts";

const ROOT_ID = 500;
/** A line: the root, then motes 1, 2, 3, each in range of its neighbours only. */
const IDS = [ROOT_ID, 1, 2, 3];
const SECONDS = 90;
/** When the PC sends the root the new interval, and what it is. */
const CHANGE_AT_MS = 50_000;
const NEW_INTERVAL = 512;
const BOOT_GAP_MS = 1_300;
/** Each board's light level (0..1) and temperature (°C), so that each reading tells which board took it. */
const light = (i: number) => 0.1 * (i + 1);
const temperature = (i: number) => 20.25 + i;
/**
 * What board i's demo sensor (PlatformSensorC channel 0) reads: light as
 * 0..65535 on a Puck.js, the temperature in hundredths of °C on boards
 * without a light sensor (MDBT42Q).
 */
const reading = (board: string, i: number) => (board === "puckjs" ? Math.round(light(i) * 65535) : Math.round(temperature(i) * 100));

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
      const entry = path.join(ROOT, "configurations", "MultihopOscilloscopeAppC.ts");
      const report = await build({ entry, platform: "espruino", board, write: false, typecheck: false });
      const boards = IDS.map((id, i) => new EspruinoShim({ board, storage: { ".motenode": String(id) }, analog: light(i), temperature: temperature(i) }));
      const air = new ShimAir(boards, { rssi: -70, hears: (from, to) => Math.abs(from - to) === 1 });
      // Switched on one after another (BOOT_GAP_MS apart), as boards are: their sampling periods out of step.
      boards.forEach((b, i) => {
        air.runUntil(i * BOOT_GAP_MS);
        b.load(report.image);
      });
      air.runUntil(CHANGE_AT_MS);
      // The PC's command: an Oscilloscope packet with a newer version (what `mote basestation send --interval` sends).
      const change = encodeMessage(MultihopOscilloscopeMsg, { version: 1, interval: NEW_INTERVAL, id: 0, count: 0, readings: [0, 0, 0, 0, 0] });
      boards[0]!.receiveSerial(boards[0]!.board.console, [...encodeAmFrame({ type: AM_OSCILLOSCOPE, payload: change })]);
      air.runUntil(SECONDS * 1000);
      return { report, boards, air };
    })();
    runs.set(board, run);
  }
  return run;
}

/**
 * The AM frames a board put on the air (from `fromMs` until `toMs`): whole
 * frames and first parts (AM header on), acknowledgements apart.
 */
function framesSent(board: EspruinoShim, fromMs = 0, toMs = Infinity): number[][] {
  return board.advertising
    .filter((a) => a.timeMs >= fromMs && a.timeMs < toMs)
    .filter((a) => a.manufacturer === MOTE_MANUFACTURER && a.manufacturerData && (a.manufacturerData[0]! & ACK) !== ACK && (a.manufacturerData[0]! & SECOND_PART) === 0)
    .map((a) => a.manufacturerData!.slice(1));
}

const u16At = (f: readonly number[], at: number) => (f[at]! << 8) | f[at + 1]!;
/** A CTP data frame's origin. */
const originOf = (f: readonly number[]) => u16At(f, HEADER_SIZE + DATA_ORIGIN);
/** The CTP data frames a board sent (from `fromMs` until `toMs`). */
const dataSent = (board: EspruinoShim, fromMs?: number, toMs?: number) =>
  framesSent(board, fromMs, toMs).filter((f) => f[6] === AM_CTP_DATA && f.length >= HEADER_SIZE + CTP_DATA_HEADER_SIZE);
/**
 * Data frames a phase needed, one per hop: each message a mote originated
 * (by CTP's origin sequence number), times its hops to the root (its place in the line).
 */
const hopsNeeded = (boards: readonly EspruinoShim[], fromMs?: number, toMs?: number) =>
  boards.reduce((n, b, i) => n + new Set(dataSent(b, fromMs, toMs).filter((f) => originOf(f) === IDS[i]).map((f) => f[HEADER_SIZE + DATA_SEQNO])).size * i, 0);

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

describe.each(["puckjs", "mdbt42q"])("MultihopOscilloscope on four %s boards in a line", (boardName) => {
  it("fits the board's JsVars, with the forwarding pool the board sets (FORWARD_COUNT), not the default", async () => {
    const { report } = await line(boardName);
    expect(report.figures.jsVarsAtBoot).toBeLessThanOrEqual(report.figures.jsVarsBudget!);
    const forward = report.sizes.find((s) => s.name === "FORWARD_COUNT")!;
    expect(forward.source).toBe(`board ${boardName}`);
    expect(forward.value).toBeLessThan(DEFAULT_FORWARD_COUNT);
  });

  it("delivers every mote's readings to the root's UART as TinyOS serial frames, the far ones over several hops", async () => {
    const { boards } = await line(boardName);
    const { packets, stats } = rootFrames(boards);
    expect(stats.frames).toBeGreaterThan(0);
    expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
    const readings = rootReadings(boards);
    expect(readings.length).toBe(packets.length);
    IDS.forEach((id, i) => {
      const mine = readings.filter((m) => m.id === id);
      const counts = mine.map((m) => m.count);
      // A message every NREADINGS samples: about 10 at 1,024 ms, then about 15 at 512 ms.
      expect(counts.length, `messages of mote ${id}`).toBeGreaterThanOrEqual(20);
      // None twice, in order. A count may skip ahead: a mote that overhears a higher count takes it (TinyOS's app).
      for (let k = 1; k < counts.length; k++) expect(counts[k], `mote ${id}'s message ${k}`).toBeGreaterThan(counts[k - 1]!);
      // None lost: every message the mote put on the air reached the root (the last may still be on its way).
      if (i > 0) {
        const sent = [...new Set(dataSent(boards[i]!).filter((f) => originOf(f) === id).map((f) => u16At(f, HEADER_SIZE + CTP_DATA_HEADER_SIZE + 6)))];
        expect(sent.length, `mote ${id}'s messages on the air`).toBeGreaterThanOrEqual(20);
        expect(sent.slice(0, -1).filter((n) => !counts.includes(n)), `mote ${id}'s messages lost`).toEqual([]);
      }
      // The readings that board's sensor gave.
      for (const m of mine) expect(m.readings).toEqual(m.readings.map(() => reading(boardName, i)));
    });
    for (const b of boards) expect(b.uncaught).toEqual([]);
  });

  it("the interval the PC sends the root reaches every board by dissemination: each samples at it from then on", async () => {
    const { boards } = await line(boardName);
    const readings = rootReadings(boards);
    for (const id of IDS) {
      const mine = readings.filter((m) => m.id === id);
      // At the default first; then, once it has the new one, never back.
      expect(mine[0]).toMatchObject({ version: 0, interval: DEFAULT_INTERVAL });
      const first = mine.findIndex((m) => m.version === 1);
      expect(first, `mote ${id} took the new interval`).toBeGreaterThan(0);
      for (const m of mine.slice(first)) expect(m).toMatchObject({ version: 1, interval: NEW_INTERVAL });
      for (const m of mine.slice(0, first)) expect(m).toMatchObject({ version: 0, interval: DEFAULT_INTERVAL });
      // Soon after the change, at twice the rate: a message every 2.56 s for the 40 s left is about 15.
      expect(mine.length - first, `mote ${id}'s messages at the new interval`).toBeGreaterThanOrEqual(12);
    }
  });

  it("forwards through the motes between: mote 1 relays motes 2's and 3's readings, mote 2 mote 3's, acknowledged hop by hop", async () => {
    const { boards } = await line(boardName);
    const origins = (b: EspruinoShim) => new Set(dataSent(b).map(originOf));
    // Mote 1 (next to the root) sent its own and motes 2's and 3's readings; mote 2 its own and mote 3's.
    expect([...origins(boards[1]!)].sort()).toEqual([1, 2, 3]);
    expect([...origins(boards[2]!)].sort()).toEqual([2, 3]);
    expect([...origins(boards[3]!)]).toEqual([3]);
    // Unicast to the parent (the next board towards the root), each acknowledged by it: [ACK | seq, source].
    for (let i = 1; i < IDS.length; i++) {
      const dests = dataSent(boards[i]!).map((f) => u16At(f, 0));
      expect(new Set(dests), `parent of mote ${IDS[i]}`).toEqual(new Set([IDS[i - 1]]));
      const acks = boards[i - 1]!.advertising.filter((a) => a.manufacturerData && (a.manufacturerData[0]! & ACK) === ACK);
      expect(acks.some((a) => u16At(a.manufacturerData!, 1) === IDS[i])).toBe(true);
    }
    // Acknowledged, a data frame goes on the air about once per hop at the default interval: not up to 30
    // times for want of an acknowledgement (CTP's retries), only again when the next hop was on the air
    // itself and could not answer.
    const needed = hopsNeeded(boards, 0, CHANGE_AT_MS);
    const sent = boards.reduce((n, b) => n + dataSent(b, 0, CHANGE_AT_MS).length, 0);
    expect(needed).toBeGreaterThan(40);
    expect(sent).toBeGreaterThanOrEqual(needed);
    expect(sent).toBeLessThanOrEqual(1.25 * needed);
  });
});
