/**
 * The simulator's own seeded randomness (never Math.random), so the same
 * seed gives the same run. xoshiro128** for streams, seeded through
 * splitmix32; a stateless hash for values that must not depend on the order
 * they are asked for (per-link shadowing).
 */

/** One splitmix32 step from `x`: a well-mixed 32-bit value. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A uniform value in (0, 1) from a hash of three integers: the same inputs give the same value. */
export function hashUniform(seed: number, a: number, b: number): number {
  const h = mix32(mix32(mix32(seed) ^ a) ^ Math.imul(b, 0x27d4eb2d));
  return (h + 0.5) / 4294967296;
}

/** A standard normal value from a hash of (seed, a, b) (Box-Muller on two hashed uniforms). */
export function hashGaussian(seed: number, a: number, b: number): number {
  const u1 = hashUniform(seed, a, b);
  const u2 = hashUniform(seed ^ 0x5bd1e995, b, a);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** xoshiro128**: four 32-bit words of state, period 2^128 - 1. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    let x = seed >>> 0;
    this.s0 = x = mix32(x);
    this.s1 = x = mix32(x);
    this.s2 = x = mix32(x);
    this.s3 = mix32(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32-bit value. */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * Standard normal from one 32-bit draw, by the inverse normal CDF tabled
   * at 4,096 points and interpolated (values stay within ±3.7): fast enough
   * to draw per frame per receiver.
   */
  normal(): number {
    const u = this.nextU32();
    const i = u >>> 20;
    const f = (u & 0xfffff) / 0x100000;
    return NORMAL[i]! + (NORMAL[i + 1]! - NORMAL[i]!) * f;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  gaussian(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = (this.nextU32() + 0.5) / 4294967296;
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9). */
export function inverseNormal(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -inverseNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The inverse normal CDF at i/4096 (the ends at 0.25/4096 from 0 and 1). */
const NORMAL = new Float64Array(4097);
for (let i = 0; i <= 4096; i++) NORMAL[i] = inverseNormal(Math.min(Math.max(i / 4096, 0.25 / 4096), 1 - 0.25 / 4096));
