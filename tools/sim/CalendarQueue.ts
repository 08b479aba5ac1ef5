/**
 * The world's event queue: the same contract as EventQueue (time, then
 * insertion order; µs; nothing allocated per event in steady state), built
 * for many motes. Events within the next `BUCKETS` ms sit in one-millisecond
 * buckets, each a linked list kept in (time, insertion) order; a bitmap
 * finds the next non-empty bucket. Most events (alarms at whole
 * milliseconds, radio events a little ahead) are appended to a bucket's tail
 * and taken from a head, so scheduling and running are O(1) where a binary
 * heap of thousands of motes pays a dozen cache-missing levels each way.
 * Events further ahead wait in a binary heap until their bucket comes into
 * the window.
 */
import { EventQueue, type EventTarget } from "./EventQueue.ts";

const WIDTH = 1000; // µs per bucket
const BUCKETS = 4096; // the window: 4.096 s
const MASK = BUCKETS - 1;
const NONE = -1;

export class CalendarQueue extends EventQueue {
  // Nodes (pooled): time, insertion number, argument, target, next in bucket.
  private nTime = new Float64Array(1024);
  private nSeq = new Float64Array(1024);
  private nArg = new Float64Array(1024);
  private nNext = new Int32Array(1024);
  private nTarget: (EventTarget | undefined)[] = new Array(1024);
  private free = NONE;
  private allocated = 0;
  // Buckets: head and tail node of each, and which are non-empty.
  private readonly head = new Int32Array(BUCKETS).fill(NONE);
  private readonly tail = new Int32Array(BUCKETS).fill(NONE);
  private readonly used = new Uint32Array(BUCKETS / 32);
  /** Events in buckets. */
  private inWindow = 0;
  /** The absolute bucket number of the window's first bucket. */
  private base = 0;
  // Events beyond the window: a binary heap of nodes.
  private far = new Int32Array(256);
  private farSize = 0;
  private nextSeq = 0;

  constructor() {
    super();
    // `now` holds µs: make it a double field from the start (see SimMote's TIME_ZERO).
    this.now = -0;
  }

  override get pending(): number {
    return this.inWindow + this.farSize;
  }

  override schedule(time: number, target: EventTarget, arg = 0): void {
    if (time < this.now) time = this.now;
    const node = this.alloc();
    this.nTime[node] = time;
    this.nSeq[node] = this.nextSeq++;
    this.nArg[node] = arg;
    this.nTarget[node] = target;
    const bucket = Math.floor(time / WIDTH);
    if (bucket - this.base < BUCKETS) this.insert(node, bucket);
    else this.farPush(node);
  }

  override peekTime(): number {
    const node = this.first();
    return node === NONE ? Infinity : this.nTime[node]!;
  }

  override step(): boolean {
    const node = this.first();
    if (node === NONE) return false;
    this.run(node);
    return true;
  }

  override runUntil(until: number): void {
    for (;;) {
      const node = this.first();
      if (node === NONE || this.nTime[node]! > until) break;
      this.run(node);
    }
    if (until > this.now) this.now = until;
  }

  /** Takes the first node out, moves the window to its time and fires it. */
  private run(node: number): void {
    const time = this.nTime[node]!;
    if (this.inWindow === 0) {
      this.farPop(); // the first node was the far heap's top
    } else {
      const b = Math.floor(time / WIDTH) & MASK;
      const next = this.nNext[node]!;
      this.head[b] = next;
      if (next === NONE) {
        this.tail[b] = NONE;
        this.used[b >>> 5]! &= ~(1 << (b & 31));
      }
      this.inWindow--;
    }
    const target = this.nTarget[node]!;
    const arg = this.nArg[node]!;
    this.now = time;
    this.nTarget[node] = undefined;
    this.nNext[node] = this.free;
    this.free = node;
    const bucket = Math.floor(time / WIDTH);
    if (bucket > this.base) this.advance(bucket);
    this.eventsRun++;
    target.fire(arg);
  }

  /**
   * The earliest node, or NONE. Events in the window all come before those
   * in the far heap, so the window's first non-empty bucket has it, if any.
   * The window starts at or before the current time's bucket (it moves when
   * an event runs), so a new event never lands before it.
   */
  private first(): number {
    if (this.inWindow === 0) return this.farSize === 0 ? NONE : this.far[0]!;
    const start = this.base & MASK;
    let word = start >>> 5;
    let bits = this.used[word]! & (~0 << (start & 31));
    for (let k = 0; k <= BUCKETS / 32; k++) {
      if (bits !== 0) return this.head[(word << 5) + 31 - Math.clz32(bits & -bits)]!;
      word = (word + 1) & (BUCKETS / 32 - 1);
      bits = this.used[word]!;
    }
    return NONE; // not reached: the window holds an event
  }

  /** Moves the window to start at bucket `to`, bringing far events into it. */
  private advance(to: number): void {
    this.base = to;
    const limit = to + BUCKETS;
    while (this.farSize > 0) {
      const node = this.far[0]!;
      const bucket = Math.floor(this.nTime[node]! / WIDTH);
      if (bucket >= limit) break;
      this.farPop();
      this.insert(node, bucket);
    }
  }

  /** Puts `node` into its bucket, in (time, insertion) order: usually at the tail. */
  private insert(node: number, bucket: number): void {
    const b = bucket & MASK;
    const t = this.nTime[node]!;
    const s = this.nSeq[node]!;
    const tail = this.tail[b]!;
    this.inWindow++;
    if (tail === NONE) {
      this.head[b] = node;
      this.tail[b] = node;
      this.nNext[node] = NONE;
      this.used[b >>> 5]! |= 1 << (b & 31);
      return;
    }
    if (this.before(tail, t, s)) {
      this.nNext[tail] = node;
      this.nNext[node] = NONE;
      this.tail[b] = node;
      return;
    }
    let prev = NONE;
    let at = this.head[b]!;
    while (at !== NONE && this.before(at, t, s)) {
      prev = at;
      at = this.nNext[at]!;
    }
    this.nNext[node] = at;
    if (prev === NONE) this.head[b] = node;
    else this.nNext[prev] = node;
  }

  /** Whether node `a` comes before an event at (t, s). */
  private before(a: number, t: number, s: number): boolean {
    const at = this.nTime[a]!;
    return at < t || (at === t && this.nSeq[a]! < s);
  }

  private alloc(): number {
    if (this.free !== NONE) {
      const node = this.free;
      this.free = this.nNext[node]!;
      return node;
    }
    if (this.allocated === this.nTime.length) this.growNodes();
    return this.allocated++;
  }

  private growNodes(): void {
    const n = this.nTime.length * 2;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.nTime = grow(this.nTime, (k) => new Float64Array(k));
    this.nSeq = grow(this.nSeq, (k) => new Float64Array(k));
    this.nArg = grow(this.nArg, (k) => new Float64Array(k));
    this.nNext = grow(this.nNext, (k) => new Int32Array(k));
    this.nTarget.length = n;
  }

  // The far heap, ordered by (time, insertion).

  private farLess(a: number, b: number): boolean {
    const ta = this.nTime[a]!;
    const tb = this.nTime[b]!;
    return ta < tb || (ta === tb && this.nSeq[a]! < this.nSeq[b]!);
  }

  private farPush(node: number): void {
    if (this.farSize === this.far.length) {
      const grown = new Int32Array(this.far.length * 2);
      grown.set(this.far);
      this.far = grown;
    }
    let i = this.farSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pn = this.far[p]!;
      if (this.farLess(pn, node)) break;
      this.far[i] = pn;
      i = p;
    }
    this.far[i] = node;
  }

  private farPop(): void {
    const last = this.far[--this.farSize]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.farSize) break;
      if (c + 1 < this.farSize && this.farLess(this.far[c + 1]!, this.far[c]!)) c++;
      if (this.farLess(last, this.far[c]!)) break;
      this.far[i] = this.far[c]!;
      i = c;
    }
    this.far[i] = last;
  }
}
