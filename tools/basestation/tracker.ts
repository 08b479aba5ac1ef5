/**
 * Per-mote statistics from what arrives: packets, packets lost (gaps in a
 * sequence counter), duplicates, late arrivals, reboots, last seen.
 *
 * A message whose profile names a sequence field (Oscilloscope's `count`,
 * TestSerial's `counter`) is tracked per (mote, AM type) against the last
 * value L seen and the RECENT values before it, each with a hash of its
 * payload:
 *
 * - S = L + d, 1 <= d <= GAP_MAX: new; d - 1 packets counted lost.
 * - S = L or S within RECENT behind L, seen with the same payload: a
 *   duplicate (kept as a packet, never as a reading).
 * - S within RECENT behind L, not seen: a late arrival (reordered on a
 *   multihop path): one lost packet fewer.
 * - S seen with a different payload, or S < RECENT far behind L: a reboot
 *   (the counter started again).
 * - anything else: a jump (Oscilloscope motes adopt a higher count they
 *   hear), not counted as loss.
 *
 * The state is plain JSON, saved with every batch in the same transaction
 * as the packets, so after a restart duplicates are still recognised.
 */

/** How many recent sequence values are remembered (with their payload hashes) per mote and type. */
export const RECENT = 64;
/** A forward gap larger than this is a jump, not loss. */
export const GAP_MAX = 1024;

export type Verdict = "first" | "new" | "duplicate" | "late" | "reboot" | "jump" | "untracked";

/** One sequence counter's state (per mote and AM type). */
export interface SeqState {
  last: number;
  /** Slot s % RECENT: the sequence value seen there (-1 none) and its payload's hash. */
  seqs: number[];
  hashes: number[];
}

export interface MoteState {
  mote: number;
  port: string;
  firstSeen: number;
  lastSeen: number;
  packets: number;
  lost: number;
  duplicates: number;
  late: number;
  reboots: number;
  jumps: number;
  /** Packets per message name ("unknown" for raw ones). */
  messages: Record<string, number>;
  /** Status fields from the last packet that had them (Oscilloscope: version, interval). */
  status: Record<string, number>;
  /** Collection tree, where known. */
  parent?: number;
  etx?: number;
  routeSeen?: number;
  /** The latest value per reading field. */
  latest: Record<string, { t: number; value: number; unit: string; message: string }>;
  seqs: Record<string, SeqState>;
}

export function newMoteState(mote: number, port: string, t: number): MoteState {
  return {
    mote,
    port,
    firstSeen: t,
    lastSeen: t,
    packets: 0,
    lost: 0,
    duplicates: 0,
    late: 0,
    reboots: 0,
    jumps: 0,
    messages: {},
    status: {},
    latest: {},
    seqs: {},
  };
}

/** FNV-1a over the payload. */
export function payloadHash(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

function freshSeq(s: number, hash: number): SeqState {
  const st: SeqState = { last: s, seqs: new Array<number>(RECENT).fill(-1), hashes: new Array<number>(RECENT).fill(0) };
  st.seqs[s % RECENT] = s;
  st.hashes[s % RECENT] = hash;
  return st;
}

/** Classifies sequence value `s` (modulo `modulus`) of a packet whose payload hashes to `hash`, and updates the counts of `m`. */
export function observeSeq(m: MoteState, key: string, s: number, modulus: number, hash: number): Verdict {
  const st = m.seqs[key];
  if (!st) {
    m.seqs[key] = freshSeq(s, hash);
    return "first";
  }
  const recent = Math.min(RECENT, modulus >> 1);
  const gapMax = Math.min(GAP_MAX, modulus >> 1);
  const slot = s % RECENT;
  const forward = (s - st.last + modulus) % modulus;
  const backward = (modulus - forward) % modulus;
  if (forward !== 0 && forward <= gapMax) {
    m.lost += forward - 1;
    for (let k = 1; k <= Math.min(forward, RECENT); k++) st.seqs[(st.last + k) % modulus % RECENT] = -1;
    st.seqs[slot] = s;
    st.hashes[slot] = hash;
    st.last = s;
    return "new";
  }
  if (backward < recent) {
    if (st.seqs[slot] === s) {
      if (st.hashes[slot] === hash) {
        m.duplicates++;
        return "duplicate";
      }
      // The same number with other contents: the counter started again.
    } else {
      st.seqs[slot] = s;
      st.hashes[slot] = hash;
      if (m.lost > 0) m.lost--;
      m.late++;
      return "late";
    }
  }
  m.seqs[key] = freshSeq(s, hash);
  if (backward < recent || s < recent) {
    m.reboots++;
    return "reboot";
  }
  m.jumps++;
  return "jump";
}

/** JSON form of a mote's state. */
export function moteStateToJson(m: MoteState): string {
  return JSON.stringify(m);
}

export function moteStateFromJson(text: string): MoteState {
  return JSON.parse(text) as MoteState;
}

/** What the API shows of a mote (no sequence windows). */
export interface MoteSummary {
  mote: number;
  port: string;
  firstSeen: number;
  lastSeen: number;
  packets: number;
  lost: number;
  /** lost / (packets + lost), 0..1 */
  lossRate: number;
  duplicates: number;
  late: number;
  reboots: number;
  jumps: number;
  /** CRC errors counted on the mote's port (all motes on that port share them). */
  crcErrors: number;
  messages: Record<string, number>;
  status: Record<string, number>;
  parent?: number;
  etx?: number;
  latest: Record<string, { t: number; value: number; unit: string; message: string }>;
}

export function summarize(m: MoteState, crcErrors: number): MoteSummary {
  const total = m.packets + m.lost;
  return {
    mote: m.mote,
    port: m.port,
    firstSeen: m.firstSeen,
    lastSeen: m.lastSeen,
    packets: m.packets,
    lost: m.lost,
    lossRate: total ? m.lost / total : 0,
    duplicates: m.duplicates,
    late: m.late,
    reboots: m.reboots,
    jumps: m.jumps,
    crcErrors,
    messages: { ...m.messages },
    status: { ...m.status },
    ...(m.parent !== undefined ? { parent: m.parent } : {}),
    ...(m.etx !== undefined ? { etx: m.etx } : {}),
    latest: { ...m.latest },
  };
}
