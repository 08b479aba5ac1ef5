/**
 * Serial benchmarks: how fast the PC side turns a mote's serial bytes into
 * typed readings (deframe, CRC, AM header, typed decode), the base
 * station's hot path.
 */
import { OscilloscopeMsg } from "../components/apps/OscilloscopeMsg.ts";
import { encodeAmFrame, encodeMessage, MessageRegistry, SerialReader } from "../tools/serial/index.ts";

export interface SerialBenchResult {
  key: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
  detail: string;
}

/** `frames` Oscilloscope frames as motes send them (0x45), readings varied so some bytes need escaping. */
function oscilloscopeStream(frames: number): { bytes: Uint8Array; checksum: number } {
  const parts: Uint8Array[] = [];
  let total = 0;
  let checksum = 0;
  let seed = 1;
  for (let k = 0; k < frames; k++) {
    const readings: number[] = [];
    for (let i = 0; i < 10; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      readings.push(seed >>> 20); // 12-bit ADC readings; now and then a 7E or 7D byte
    }
    const value = { version: 1, interval: 256, id: 1 + (k % 50), count: k & 0xffff, readings };
    checksum = (checksum + value.count + readings[9]!) | 0;
    const framed = encodeAmFrame({ src: value.id, type: OscilloscopeMsg.amType, payload: encodeMessage(OscilloscopeMsg, value) });
    parts.push(framed);
    total += framed.length;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, checksum };
}

/** Feeds the stream in 4 KB chunks (as a serial port delivers it) and decodes every packet; returns frames per second. */
function deframeAndDecode(bytes: Uint8Array, expectedFrames: number, checksum: number): number {
  const registry = new MessageRegistry([OscilloscopeMsg]);
  let decoded = 0;
  let sum = 0;
  const reader = new SerialReader({
    onPacket(packet) {
      const typed = registry.decode(packet);
      if (typed) {
        const v = typed.value as { count: number; readings: number[] };
        sum = (sum + v.count + v.readings[9]!) | 0;
        decoded++;
      }
    },
  });
  const chunk = 4096;
  const t0 = performance.now();
  for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
  const seconds = (performance.now() - t0) / 1000;
  if (decoded !== expectedFrames || sum !== checksum) {
    throw new Error(`serial benchmark decoded ${decoded} of ${expectedFrames} frames (checksum ${sum} vs ${checksum})`);
  }
  return decoded / seconds;
}

export async function serialBenchmarks(progress: (m: string) => void): Promise<SerialBenchResult[]> {
  const frames = 200_000;
  progress(`serial: ${frames.toLocaleString("en")} Oscilloscope frames, deframe + CRC + typed decode`);
  const { bytes, checksum } = oscilloscopeStream(frames);
  deframeAndDecode(bytes, frames, checksum); // warm up
  const rates: number[] = [];
  for (let run = 0; run < 7; run++) rates.push(deframeAndDecode(bytes, frames, checksum));
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)]!;
  return [
    {
      key: "serial_deframe_decode_frames_per_s",
      value: Math.round(median),
      unit: "frames/s",
      target: ">= 1000000",
      met: median >= 1_000_000,
      detail: `median of 7 runs over ${frames.toLocaleString("en")} frames (${(bytes.length / frames).toFixed(1)} bytes each on the wire, 4 KB chunks, one core); SerialReader + MessageRegistry.decode`,
    },
  ];
}
