/**
 * Flashing against the line rate: how long `mote flash` takes to put the
 * Oscilloscope image (built for a Puck.js) on the emulated Espruino board
 * whose bytes are paced at 115,200 baud both ways, against the time the
 * image's bytes alone take on that line. Everything the flasher does is
 * inside the measured time: attention, Storage check, upload, read-back
 * verification, boot switch, restart.
 */
import path from "node:path";
import { build, ROOT } from "../tools/build/build.ts";
import { EspruinoEmulator } from "../tools/flash/EspruinoEmulator.ts";
import { flashEspruino } from "../tools/flash/flash.ts";
import { wireMs } from "../tools/flash/protocol.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";

interface Result {
  key: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
  detail: string;
}

const BAUD = 115_200;
const RUNS = 5;

async function medianFlashMs(version: string, image: string, progress: (m: string) => void): Promise<{ ms: number; protocol: string; retransmissions: number }> {
  const pair = await PtyLink.open();
  const emu = await EspruinoEmulator.open({ port: pair.mote, version, baud: BAUD, storageBytes: 100_000 });
  try {
    // Let the power-on banner drain off the paced line first.
    await new Promise((resolve) => setTimeout(resolve, wireMs(400, BAUD) + 50));
    const times: number[] = [];
    let protocol = "";
    let retransmissions = 0;
    for (let i = 0; i < RUNS; i++) {
      const boots = emu.boots.length;
      const result = await flashEspruino(image, { port: pair.host, baud: BAUD, console: false });
      await emu.booted(boots + 1);
      times.push(result.elapsedMs);
      protocol = result.protocol;
      retransmissions += result.retransmissions;
      progress(`flash ${i + 1}/${RUNS} (${version}, ${result.protocol}): ${result.elapsedMs.toFixed(0)} ms`);
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)]!, protocol, retransmissions };
  } finally {
    await emu.close();
    await pair.close();
  }
}

export async function flashBenchmarks(progress: (m: string) => void): Promise<Result[]> {
  const report = await build({ entry: path.join(ROOT, "configurations", "OscilloscopeAppC.ts"), platform: "espruino", board: "puckjs", write: false, typecheck: false });
  const image = report.image;
  const bytes = Buffer.byteLength(image);
  const lineMs = wireMs(bytes, BAUD);
  progress(`flashing the ${bytes}-byte Oscilloscope image to the emulated board at ${BAUD} baud`);
  const packet = await medianFlashMs("2v25", image, progress);
  const repl = await medianFlashMs("2v20", image, progress);
  const ratio = packet.ms / lineMs;
  const replRatio = repl.ms / lineMs;
  return [
    {
      key: "flash_oscilloscope_vs_line_rate",
      value: ratio,
      unit: "ratio",
      target: "<= 1.25",
      met: ratio <= 1.25,
      detail:
        `${packet.ms.toFixed(0)} ms to flash the ${bytes}-byte Oscilloscope image vs ` +
        `${lineMs.toFixed(0)} ms for those bytes at ${BAUD} baud; ${packet.protocol} protocol, median of ${RUNS}, verification and switch included` +
        (packet.retransmissions ? `, ${packet.retransmissions} resent` : ""),
    },
    {
      key: "flash_repl_vs_line_rate",
      value: replRatio,
      unit: "ratio",
      target: "(none)",
      met: true,
      detail: `the same by REPL lines (firmware before 2v25): ${repl.ms.toFixed(0)} ms; median of ${RUNS}`,
    },
  ];
}
