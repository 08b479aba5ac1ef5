/**
 * The radio: a shared medium of directed links with gains (dBm at the
 * receiver), and one MoteRadio per mote that does what the CC2420 and its
 * TinyOS driver do below PacketLink: CSMA with random backoff, clear channel
 * assessment, link-layer acknowledgements, retries, and duplicate
 * suppression.
 *
 * Reception. A receiver that is listening when a frame starts locks onto it
 * if its signal-to-interference-plus-noise ratio (SINR) is at least
 * `syncSnrDb`; it then follows the worst SINR over the frame as other
 * frames start. A later frame captures the receiver if it is `captureDb`
 * above everything else (noise included). When the frame ends, one draw
 * decides: delivered with probability PRR(worst SINR) (Channel.ts);
 * otherwise `collided` if PRR(clean SNR) would have saved it, else `lost`.
 * A receiver that was transmitting, locked onto another frame, or heard the
 * frame too weakly to lock counts it lost (collided when another frame was
 * in the way). Noise is drawn per frame from the receiver's noise floor
 * (mean, standard deviation).
 *
 * Address recognition and acknowledgements are per mote, as a CC2420's
 * settings are: a mote whose image is built with TinyOS's
 * CC2420_NO_ADDRESS_RECOGNITION hears unicast frames for other motes too
 * (after the same reception draw; its stack hands them to Snoop), and one
 * built with CC2420_NO_ACKNOWLEDGEMENTS never acknowledges (a sniffer such
 * as BaseStation must not acknowledge frames meant for others).
 *
 * Neighbour lists are compressed rows built from the gain table, leaving out
 * links weaker than the receiver's mean noise floor plus `linkMarginDb`;
 * they are rebuilt only when a gain or a noise floor changes. Each frame on
 * the air is two events (start, end) however many motes hear it, and the
 * per-frame work allocates nothing: transmissions come from a pool.
 */
import { EBUSY, ECANCEL, EOFF, ESIZE, SUCCESS } from "../../components/TinyError.ts";
import {
  ACK_AIR_BYTES,
  airBytes,
  airTimeUs,
  dbmToMw,
  MAC_OVERHEAD_BYTES,
  PrrTable,
  SYNC_HEADER_BYTES,
} from "./Channel.ts";
import type { EventQueue, EventTarget } from "./EventQueue.ts";
import type { Random } from "./Random.ts";
import { TIME_ZERO, type MoteCounters, type SimMote } from "./SimMote.ts";
import type { Tracer } from "./Trace.ts";

export interface RadioOptions {
  /** Noise floor of motes without their own (`noise` lines), dBm. */
  readonly noiseMeanDbm: number;
  /** Its per-frame standard deviation, dB. */
  readonly noiseStdDb: number;
  /** Links weaker than the receiver's mean noise floor plus this are left out, dB. */
  readonly linkMarginDb: number;
  /** Clear channel assessment: busy at or above this received power, dBm (CC2420: -77). */
  readonly ccaThresholdDbm: number;
  /** A receiver locks onto a frame whose SINR at its start is at least this, dB. */
  readonly syncSnrDb: number;
  /** A later frame this much above everything else captures the receiver, dB. */
  readonly captureDb: number;
  /** Initial backoff before the first clear channel assessment, µs, uniform in [min, max]. */
  readonly initialBackoffUs: readonly [number, number];
  /** Backoff after a busy channel, µs. */
  readonly congestionBackoffUs: readonly [number, number];
  /** Busy channels after which a send gives up with EBUSY. */
  readonly maxCongestionBackoffs: number;
  /** RX-to-TX turnaround (802.15.4: 12 symbols = 192 µs). */
  readonly turnaroundUs: number;
  /** How long a sender waits for an acknowledgement after its frame ends, µs (802.15.4: 864). */
  readonly ackWaitUs: number;
  /** Retransmissions of an unacknowledged unicast frame. */
  readonly maxRetries: number;
}

export const DEFAULT_RADIO: RadioOptions = {
  noiseMeanDbm: -98,
  noiseStdDb: 1,
  linkMarginDb: 0,
  ccaThresholdDbm: -77,
  syncSnrDb: 0,
  captureDb: 3,
  initialBackoffUs: [320, 10_240],
  congestionBackoffUs: [320, 2_560],
  maxCongestionBackoffs: 32,
  turnaroundUs: 192,
  ackWaitUs: 864,
  maxRetries: 3,
};

/** The largest frame (AM header + payload) that fits an 802.15.4 PSDU of 127 bytes. */
export const MAX_FRAME = 127 - MAC_OVERHEAD_BYTES;
export const BROADCAST = 0xffff;

const DATA = 0;
const ACK = 1;

// What happened to a frame at a receiver that did not lock onto it.
const F_LOCKED = 0;
const F_OFF = 1;
const F_LOST = 2;
const F_COLLIDED = 3;

// MAC states.
const M_IDLE = 0;
const M_BACKOFF = 1;
const M_TURNAROUND = 2;
const M_TX = 3;
const M_WAIT_ACK = 4;
const M_DONE = 5;

/** Above this SINR (10 dB) a frame always gets through: no draw needed. */
const SURE_RATIO = 10;

/** A frame on the air (or waiting to go, while its sender backs off). Pooled. */
export class Transmission implements EventTarget {
  readonly bytes = new Uint8Array(MAX_FRAME);
  length = 0;
  kind = DATA;
  sender!: MoteRadio;
  /** AM destination (data frames). */
  addr = 0;
  wantAck = false;
  dsn = 0;
  attempt = 0;
  /** The mote index an acknowledgement is for. */
  ackTo = -1;
  checkedBytes = 0;
  airUs = 0;
  /** When it went on the air, µs (a frame cut short is charged the time it was sending). */
  startUs = TIME_ZERO;
  links!: LinkTable;
  first = 0;
  last = 0;
  flags = new Uint8Array(16);
  gen = 0;

  constructor(private readonly medium: RadioMedium) {}

  fire(arg: number): void {
    if (arg === this.gen) this.medium.end(this, false);
  }
}

/** Neighbour lists as compressed rows: links of mote i are [start[i], start[i+1]). */
export interface LinkTable {
  readonly start: Int32Array;
  readonly dst: Int32Array;
  readonly mw: Float64Array;
  readonly dbm: Float64Array;
}

/** A mote's hardware acknowledgement, sent one turnaround after the frame it acknowledges. */
class AckTimer implements EventTarget {
  gen = 0;
  to = 0;
  dsn = 0;
  constructor(private readonly radio: MoteRadio) {}
  fire(arg: number): void {
    if (arg === this.gen) this.radio.sendAck(this.to, this.dsn);
  }
}

export class MoteRadio implements EventTarget {
  /** The mote's counters (held here: one step fewer per reception). */
  readonly counters: MoteCounters;
  on = false;
  transmitting = false;
  /** The frame this radio has on the air. */
  onAir: Transmission | null = null;
  // Receiver: total power arriving (mW) from `active` frames; the frame locked onto.
  totalMw = 0;
  active = 0;
  locked: Transmission | null = null;
  lockedK = 0;
  lockedMw = 0;
  frameNoiseMw = 0;
  minSinr = 0;
  cleanSnr = 0;
  noiseMeanDbm: number;
  noiseStdDb: number;
  noiseMeanMw: number;
  /** std in dB as a factor of a natural exponent: noise mW = mean mW · exp(noiseK · z). */
  noiseK: number;
  // MAC
  mac = M_IDLE;
  macGen = 0;
  current: Transmission | null = null;
  congestion = 0;
  dsn = 0;
  doneError = 0;
  doneAcked = false;
  readonly ackTimer = new AckTimer(this);
  /** Off (CC2420_NO_ADDRESS_RECOGNITION): unicast frames for other motes are delivered too. Set by the image at boot. */
  addressRecognition = true;
  /** Off (CC2420_NO_ACKNOWLEDGEMENTS): this mote never acknowledges a frame. Set by the image at boot. */
  autoAck = true;
  /** (src << 8 | dsn) + 1 of the last unicast frames delivered, to drop retransmitted duplicates. */
  readonly history = new Int32Array(4);
  historyNext = 0;
  // Energy
  onSinceUs = TIME_ZERO;
  onUs = TIME_ZERO;
  txUs = TIME_ZERO;
  // The image's interrupt handlers.
  sendDoneHandler: ((error: number, acked: boolean) => void) | undefined;
  receiveHandler: ((frame: Uint8Array, length: number, rssi: number) => void) | undefined;

  constructor(
    readonly mote: SimMote,
    readonly index: number,
    private readonly medium: RadioMedium,
  ) {
    this.counters = mote.counters;
    const o = medium.options;
    this.noiseMeanDbm = o.noiseMeanDbm;
    this.noiseStdDb = o.noiseStdDb;
    this.noiseMeanMw = dbmToMw(o.noiseMeanDbm);
    this.noiseK = (o.noiseStdDb * Math.LN10) / 10;
  }

  /** Noise for one frame, mW (log-normal: normal in dBm). */
  sampleNoise(): number {
    if (this.noiseK === 0) return this.noiseMeanMw;
    return this.noiseMeanMw * Math.exp(this.noiseK * this.medium.rng.normal());
  }

  /** Time the radio has been on, µs. */
  onTimeUs(): number {
    return this.onUs + (this.on ? this.medium.queue.now - this.onSinceUs : 0);
  }

  power(on: boolean): void {
    if (on === this.on) return;
    const now = this.medium.queue.now;
    this.on = on;
    this.mote.radioIsOn = on;
    this.medium.tracer?.radio(now, this.mote.nodeId, on);
    if (on) {
      this.onSinceUs = now;
      return;
    }
    this.onUs += now - this.onSinceUs;
    if (this.onAir !== null) this.medium.end(this.onAir, true);
    if (this.locked !== null) {
      this.locked.flags[this.lockedK] = F_OFF;
      this.locked = null;
    }
    this.ackTimer.gen++;
    if (this.mac !== M_IDLE && this.mac !== M_DONE) this.finishLater(ECANCEL, false);
  }

  /** The image's radio settings (MoteHost.radioConfigure), kept until the mote loses power. */
  configure(addressRecognition: boolean, autoAck: boolean): void {
    this.addressRecognition = addressRecognition;
    this.autoAck = autoAck;
  }

  /** The mote lost power: everything stops, nothing is signalled. */
  reset(): void {
    this.power(false);
    this.macGen++;
    this.mac = M_IDLE;
    if (this.current !== null) this.medium.release(this.current);
    this.current = null;
    this.sendDoneHandler = undefined;
    this.receiveHandler = undefined;
    this.configure(true, true); // the hardware's defaults: the next boot's image sets its own
  }

  send(frame: Uint8Array, length: number, wantAck: boolean): void {
    if (this.mac !== M_IDLE) return; // the HAL never does this: it refuses a second send with EBUSY
    const counters = this.counters;
    counters.sent++;
    if (!this.on) return this.finishLater(EOFF, false);
    if (length > MAX_FRAME || length < 7) return this.finishLater(ESIZE, false);
    const tx = this.medium.acquire();
    for (let i = 0; i < length; i++) tx.bytes[i] = frame[i]!;
    tx.length = length;
    tx.kind = DATA;
    tx.sender = this;
    tx.addr = (frame[0]! << 8) | frame[1]!;
    tx.wantAck = wantAck && tx.addr !== BROADCAST;
    this.dsn = (this.dsn + 1) & 255;
    tx.dsn = this.dsn;
    tx.attempt = 0;
    tx.checkedBytes = airBytes(length) - SYNC_HEADER_BYTES;
    tx.airUs = airTimeUs(airBytes(length));
    this.current = tx;
    this.congestion = 0;
    this.backoff(this.medium.options.initialBackoffUs);
  }

  cancel(): boolean {
    if (this.mac !== M_BACKOFF && this.mac !== M_TURNAROUND) return false;
    this.finishLater(ECANCEL, false);
    return true;
  }

  private backoff(range: readonly [number, number]): void {
    this.mac = M_BACKOFF;
    const q = this.medium.queue;
    q.schedule(q.now + Math.round(this.medium.rng.uniform(range[0], range[1])), this, ++this.macGen);
  }

  /** The MAC's one timer. */
  fire(arg: number): void {
    if (arg !== this.macGen) return;
    const medium = this.medium;
    const q = medium.queue;
    switch (this.mac) {
      case M_BACKOFF:
        if (this.transmitting || this.totalMw + this.noiseMeanMw >= medium.ccaMw) {
          this.counters.ccaBusy++;
          if (++this.congestion > medium.options.maxCongestionBackoffs) this.finish(EBUSY, false);
          else this.backoff(medium.options.congestionBackoffUs);
        } else {
          this.mac = M_TURNAROUND;
          q.schedule(q.now + medium.options.turnaroundUs, this, ++this.macGen);
        }
        return;
      case M_TURNAROUND: {
        if (this.transmitting) {
          this.backoff(medium.options.congestionBackoffUs); // an acknowledgement went out meanwhile
          return;
        }
        const tx = this.current!;
        this.mac = M_TX;
        tx.attempt++;
        this.counters.transmissions++;
        if (tx.attempt > 1) this.counters.retries++;
        medium.start(tx);
        return;
      }
      case M_WAIT_ACK:
        if (this.current!.attempt <= medium.options.maxRetries) this.backoff(medium.options.initialBackoffUs);
        else this.finish(SUCCESS, false);
        return;
      case M_DONE:
        this.finish(this.doneError, this.doneAcked);
        return;
    }
  }

  /** Our data frame left the air. */
  dataEnded(tx: Transmission): void {
    if (tx.wantAck) {
      this.mac = M_WAIT_ACK;
      const q = this.medium.queue;
      q.schedule(q.now + this.medium.options.ackWaitUs, this, ++this.macGen);
    } else {
      this.finish(SUCCESS, false);
    }
  }

  /** An acknowledgement for `dsn` reached us. */
  ackReceived(dsn: number): void {
    if (this.mac === M_WAIT_ACK && this.current !== null && this.current.dsn === dsn) {
      this.macGen++;
      this.finish(SUCCESS, true);
    }
  }

  private finishLater(error: number, acked: boolean): void {
    this.mac = M_DONE;
    this.doneError = error;
    this.doneAcked = acked;
    this.medium.queue.schedule(this.medium.queue.now, this, ++this.macGen);
  }

  /** The send is over: tell the image (an interrupt). */
  private finish(error: number, acked: boolean): void {
    const tx = this.current;
    const counters = this.counters;
    if (error !== SUCCESS) counters.sendFailed++;
    else if (tx !== null && tx.wantAck) {
      if (acked) counters.acked++;
      else counters.noAck++;
    }
    this.mac = M_IDLE;
    if (tx !== null) this.medium.release(tx);
    this.current = null;
    this.medium.tracer?.sendDone(this.medium.queue.now, this.mote.nodeId, error, acked);
    if (this.sendDoneHandler !== undefined) this.sendDoneHandler(error, acked);
  }

  scheduleAck(to: number, dsn: number): void {
    const t = this.ackTimer;
    t.to = to;
    t.dsn = dsn;
    const q = this.medium.queue;
    q.schedule(q.now + this.medium.options.turnaroundUs, t, ++t.gen);
  }

  /** Hardware acknowledgement: goes out whatever the MAC is doing, unless the radio is busy sending. */
  sendAck(to: number, dsn: number): void {
    if (!this.on || this.transmitting) return;
    const tx = this.medium.acquire();
    tx.kind = ACK;
    tx.sender = this;
    tx.length = 0;
    tx.ackTo = to;
    tx.dsn = dsn;
    tx.wantAck = false;
    tx.attempt = 1;
    tx.checkedBytes = ACK_AIR_BYTES - SYNC_HEADER_BYTES;
    tx.airUs = airTimeUs(ACK_AIR_BYTES);
    this.medium.start(tx);
  }

  /** Whether (src, dsn) was delivered recently; remembers it if not. */
  isDuplicate(src: number, dsn: number): boolean {
    const key = ((src << 8) | dsn) + 1;
    const h = this.history;
    for (let i = 0; i < h.length; i++) if (h[i] === key) return true;
    h[this.historyNext] = key;
    this.historyNext = (this.historyNext + 1) & 3;
    return false;
  }
}

export class RadioMedium {
  readonly radios: MoteRadio[] = [];
  /** Radios by node id. */
  readonly byNode = new Map<number, MoteRadio>();
  /** Directed gains by mote index: key src * 65536 + dst, value dBm. */
  readonly gains = new Map<number, number>();
  readonly ccaMw: number;
  tracer: Tracer | undefined;
  private table: LinkTable | undefined;
  private readonly pool: Transmission[] = [];
  private deliverTo: MoteRadio[] = [];
  private deliverRssi = new Float64Array(64);
  private readonly syncRatio: number;
  private readonly captureRatio: number;
  /** PRR tables by checked length. */
  private readonly prrTables: (PrrTable | undefined)[] = [];

  constructor(
    readonly queue: EventQueue,
    readonly rng: Random,
    readonly options: RadioOptions,
  ) {
    this.ccaMw = dbmToMw(options.ccaThresholdDbm);
    this.syncRatio = dbmToMw(options.syncSnrDb);
    this.captureRatio = dbmToMw(options.captureDb);
  }

  addRadio(mote: SimMote): MoteRadio {
    const r = new MoteRadio(mote, this.radios.length, this);
    this.radios.push(r);
    this.byNode.set(mote.nodeId, r);
    this.table = undefined;
    return r;
  }

  setGain(src: number, dst: number, dbm: number | undefined): void {
    const key = src * 65536 + dst;
    if (dbm === undefined) this.gains.delete(key);
    else this.gains.set(key, dbm);
    this.table = undefined;
  }

  gain(src: number, dst: number): number | undefined {
    return this.gains.get(src * 65536 + dst);
  }

  setNoise(index: number, meanDbm: number, stdDb: number): void {
    const r = this.radios[index]!;
    r.noiseMeanDbm = meanDbm;
    r.noiseStdDb = stdDb;
    r.noiseMeanMw = dbmToMw(meanDbm);
    r.noiseK = (stdDb * Math.LN10) / 10;
    this.table = undefined;
  }

  /** The neighbour lists, rebuilt if the gains changed. */
  links(): LinkTable {
    return (this.table ??= this.build());
  }

  /** How many links are in the neighbour lists. */
  linkCount(): number {
    return this.links().dst.length;
  }

  private build(): LinkTable {
    const n = this.radios.length;
    const margin = this.options.linkMarginDb;
    const keys: number[] = [];
    for (const [key, dbm] of this.gains) {
      const src = Math.floor(key / 65536);
      const dst = key % 65536;
      if (src >= n || dst >= n || src === dst) continue;
      if (dbm >= this.radios[dst]!.noiseMeanDbm + margin) keys.push(key);
    }
    const sorted = Float64Array.from(keys).sort();
    const start = new Int32Array(n + 1);
    const dst = new Int32Array(sorted.length);
    const mw = new Float64Array(sorted.length);
    const dbmOut = new Float64Array(sorted.length);
    for (let k = 0; k < sorted.length; k++) {
      const key = sorted[k]!;
      const s = Math.floor(key / 65536);
      start[s + 1]!++;
      dst[k] = key % 65536;
      const g = this.gains.get(key)!;
      dbmOut[k] = g;
      mw[k] = dbmToMw(g);
    }
    for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
    return { start, dst, mw, dbm: dbmOut };
  }

  acquire(): Transmission {
    return this.pool.pop() ?? new Transmission(this);
  }

  release(tx: Transmission): void {
    this.pool.push(tx);
  }

  /** A frame goes on the air: every neighbour's receiver hears it start. */
  start(tx: Transmission): void {
    const s = tx.sender;
    const now = this.queue.now;
    s.transmitting = true;
    s.onAir = tx;
    if (s.locked !== null) {
      s.locked.flags[s.lockedK] = F_LOST; // half duplex: it stops receiving to send
      s.locked = null;
    }
    const t = this.links();
    const first = t.start[s.index]!;
    const last = t.start[s.index + 1]!;
    tx.links = t;
    tx.first = first;
    tx.last = last;
    if (tx.flags.length < last - first) tx.flags = new Uint8Array(2 * (last - first));
    const flags = tx.flags;
    const radios = this.radios;
    const dst = t.dst;
    const mw = t.mw;
    const sync = this.syncRatio;
    for (let k = first; k < last; k++) {
      const r = radios[dst[k]!]!;
      const p = mw[k]!;
      r.totalMw += p;
      r.active++;
      let flag = F_LOCKED;
      if (!r.on) flag = F_OFF;
      else if (r.transmitting) flag = F_LOST;
      else if (r.locked === null) {
        const noise = r.sampleNoise();
        let interference = r.totalMw - p;
        if (interference < 0) interference = 0;
        const sinr = p / (noise + interference);
        if (sinr >= sync) {
          r.locked = tx;
          r.lockedK = k - first;
          r.lockedMw = p;
          r.frameNoiseMw = noise;
          r.minSinr = sinr;
          r.cleanSnr = p / noise;
        } else {
          flag = p / noise >= sync ? F_COLLIDED : F_LOST;
        }
      } else {
        // Busy with another frame: this one may capture the receiver, or spoil that one.
        const noise = r.frameNoiseMw;
        const newSinr = p / (noise + r.totalMw - p);
        if (newSinr >= this.captureRatio) {
          r.locked.flags[r.lockedK] = F_COLLIDED;
          r.locked = tx;
          r.lockedK = k - first;
          r.lockedMw = p;
          r.minSinr = newSinr;
          r.cleanSnr = p / noise;
        } else {
          const sinr = r.lockedMw / (noise + r.totalMw - r.lockedMw);
          if (sinr < r.minSinr) r.minSinr = sinr;
          flag = p / noise >= sync ? F_COLLIDED : F_LOST;
        }
      }
      flags[k - first] = flag;
    }
    if (this.tracer !== undefined && tx.kind === DATA) {
      const b = tx.bytes;
      this.tracer.tx(now, s.mote.nodeId, tx.addr, b[6]!, b[4]!, tx.attempt);
    }
    tx.startUs = now;
    this.queue.schedule(now + tx.airUs, tx, ++tx.gen);
  }

  /**
   * A frame leaves the air (or is cut off: its sender lost power). Each
   * neighbour that locked onto it decides whether it got it; receivers
   * addressed (and, for data frames, those without address recognition)
   * are counted and traced; deliveries and the sender's completion are
   * signalled after every receiver is settled.
   */
  end(tx: Transmission, cut: boolean): void {
    const now = this.queue.now;
    const s = tx.sender;
    tx.gen++; // a cut-off frame's scheduled end must not run again
    s.transmitting = false;
    s.onAir = null;
    s.txUs += cut ? now - tx.startUs : tx.airUs;
    const t = tx.links;
    const first = tx.first;
    const last = tx.last;
    const radios = this.radios;
    const dst = t.dst;
    const mw = t.mw;
    const flags = tx.flags;
    const tracer = this.tracer;
    const isData = tx.kind === DATA;
    const broadcast = tx.addr === BROADCAST;
    const src = s.mote.nodeId;
    let deliveries = 0;
    let addressedSeen = broadcast || !isData;
    if (this.deliverRssi.length < last - first) this.deliverRssi = new Float64Array(2 * (last - first));
    for (let k = first; k < last; k++) {
      const r = radios[dst[k]!]!;
      const p = mw[k]!;
      if (--r.active === 0) r.totalMw = 0;
      else r.totalMw -= p;
      const lockedHere = r.locked === tx;
      if (lockedHere) r.locked = null;
      const addressed = isData ? broadcast || tx.addr === r.mote.nodeId : tx.ackTo === r.index;
      if (!addressed) {
        // A unicast data frame for another mote: heard only without address recognition (a sniffer).
        if (!isData || r.addressRecognition) continue;
      } else if (!broadcast) addressedSeen = true;
      let result: number; // 0 delivered, else F_LOST / F_COLLIDED
      let snrDb: number;
      if (lockedHere && !cut) {
        const minSinr = r.minSinr;
        if (minSinr >= SURE_RATIO) {
          result = 0;
          snrDb = tracer !== undefined ? 10 * Math.log10(minSinr) : 0;
        } else {
          snrDb = 10 * Math.log10(minSinr);
          const prr = (this.prrTables[tx.checkedBytes] ??= new PrrTable(tx.checkedBytes));
          const u = this.rng.next();
          if (u < prr.at(snrDb)) result = 0;
          else if (minSinr < r.cleanSnr && u < prr.at(10 * Math.log10(r.cleanSnr))) result = F_COLLIDED;
          else result = F_LOST;
        }
      } else {
        const f = lockedHere ? F_LOST : flags[k - first]!;
        if (f === F_OFF) continue;
        result = f === F_COLLIDED ? F_COLLIDED : F_LOST;
        snrDb = tracer !== undefined ? t.dbm[k]! - r.noiseMeanDbm : 0;
      }
      if (isData) {
        const c = r.counters;
        if (result === 0) {
          if (!broadcast && r.isDuplicate(src, tx.dsn)) c.duplicates++;
          else {
            c.received++;
            if (!addressed) c.overheard++;
            this.deliverTo[deliveries] = r;
            this.deliverRssi[deliveries++] = t.dbm[k]!;
          }
          if (tx.wantAck && addressed && r.autoAck) r.scheduleAck(s.index, tx.dsn);
        } else if (result === F_COLLIDED) c.collided++;
        else c.lost++;
        if (tracer !== undefined) {
          const b = tx.bytes;
          tracer.rx(now, src, r.mote.nodeId, tx.addr, b[6]!, b[4]!, RESULT[result]!, t.dbm[k]!, snrDb);
        }
      } else {
        if (tracer !== undefined) tracer.ack(now, src, r.mote.nodeId, RESULT[result]!, t.dbm[k]!);
        if (result === 0) r.ackReceived(tx.dsn);
      }
    }
    if (isData && !addressedSeen && !cut) this.unreachable(tx, now);
    if (cut) {
      if (!isData) this.release(tx);
      return; // the sender is off: nothing is delivered, nothing signalled
    }
    for (let i = 0; i < deliveries; i++) {
      const r = this.deliverTo[i]!;
      if (r.on && r.receiveHandler !== undefined) r.receiveHandler(tx.bytes, tx.length, Math.round(this.deliverRssi[i]!));
    }
    if (isData) s.dataEnded(tx);
    else this.release(tx);
  }

  /** A unicast frame whose destination is not within range: lost there, if the destination exists and listens. */
  private unreachable(tx: Transmission, now: number): void {
    const r = this.byNode.get(tx.addr);
    if (r === undefined || !r.on) return;
    r.counters.lost++;
    this.tracer?.rx(now, tx.sender.mote.nodeId, r.mote.nodeId, tx.addr, tx.bytes[6]!, tx.bytes[4]!, "lost", NaN, NaN);
  }
}

const RESULT = ["delivered", "", "lost", "collided"];
