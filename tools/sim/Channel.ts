/**
 * The radio channel's physics, as numbers: air time at 250 kbit/s, and the
 * packet reception ratio from the signal-to-noise ratio (TOSSIM's CC2420
 * curve, measured by Kannan: symbol error 0.5·erfc(0.9794·(SNR − 2.3851)/√2),
 * two symbols per byte, every symbol of the frame after the sync header
 * must be right).
 */

/** Bytes per second at 250 kbit/s. */
export const BYTES_PER_SECOND = 250_000 / 8;
/** Microseconds on the air per byte (32 µs). */
export const US_PER_BYTE = 1e6 / BYTES_PER_SECOND;
/** Preamble (4), start-of-frame delimiter (1) and PHY length (1): sent before the frame, not checked by the PRR. */
export const SYNC_HEADER_BYTES = 6;
/** 802.15.4 MAC overhead around our frame: frame control (2), sequence number (1), FCS (2). */
export const MAC_OVERHEAD_BYTES = 5;
/** An acknowledgement frame on the air: sync header, frame control, sequence number, FCS. */
export const ACK_AIR_BYTES = SYNC_HEADER_BYTES + 5;

/** Bytes on the air for a frame of `frameLength` bytes (AM header + payload). */
export const airBytes = (frameLength: number): number => SYNC_HEADER_BYTES + MAC_OVERHEAD_BYTES + frameLength;

/** Microseconds on the air for `bytes` bytes. */
export const airTimeUs = (bytes: number): number => bytes * US_PER_BYTE;

export const dbmToMw = (dbm: number): number => Math.pow(10, dbm / 10);
export const mwToDbm = (mw: number): number => 10 * Math.log10(mw);

/** The complementary error function (Numerical Recipes' erfcc; relative error below 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const BETA1 = 0.9794;
const BETA2 = 2.3851;
/** Above this SNR every frame up to 127 bytes gets through (PRR > 1 − 1e-9). */
const SURE_SNR_DB = 10;
/** Below this SNR none does. */
const HOPELESS_SNR_DB = -5;

/**
 * The probability that a frame whose checked part is `checkedBytes` long
 * (the air bytes after the sync header) is received at `snrDb`.
 */
export function prrFromSnr(snrDb: number, checkedBytes: number): number {
  if (snrDb >= SURE_SNR_DB) return 1;
  if (snrDb <= HOPELESS_SNR_DB) return 0;
  const pse = 0.5 * erfc((BETA1 * (snrDb - BETA2)) / Math.SQRT2);
  return Math.exp(2 * checkedBytes * Math.log1p(-pse));
}

/** The SNR at which a frame of `checkedBytes` checked bytes has reception ratio `prr` (0 < prr < 1). */
export function snrForPrr(prr: number, checkedBytes: number): number {
  if (!(prr > 0 && prr < 1)) throw new RangeError(`snrForPrr: prr must be in (0, 1), got ${prr}`);
  let lo = HOPELESS_SNR_DB;
  let hi = SURE_SNR_DB;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (prrFromSnr(mid, checkedBytes) < prr) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** PRR table resolution: 100 steps per dB from HOPELESS_SNR_DB to SURE_SNR_DB. */
const STEPS_PER_DB = 100;
const TABLE_SIZE = (SURE_SNR_DB - HOPELESS_SNR_DB) * STEPS_PER_DB + 2;

/**
 * `prrFromSnr` for one frame length as a table, for the per-reception path:
 * linear interpolation between 0.01 dB steps (the curve is smooth at that
 * scale: the error is below 1e-5).
 */
export class PrrTable {
  private readonly values = new Float64Array(TABLE_SIZE);

  constructor(checkedBytes: number) {
    for (let i = 0; i < TABLE_SIZE; i++) this.values[i] = prrFromSnr(HOPELESS_SNR_DB + i / STEPS_PER_DB, checkedBytes);
  }

  at(snrDb: number): number {
    if (snrDb >= SURE_SNR_DB) return 1;
    if (snrDb <= HOPELESS_SNR_DB) return 0;
    const x = (snrDb - HOPELESS_SNR_DB) * STEPS_PER_DB;
    const i = Math.floor(x);
    const v = this.values;
    return v[i]! + (v[i + 1]! - v[i]!) * (x - i);
  }
}
