/**
 * The simulator's one virtual clock: a binary min-heap of events ordered by
 * time, then by insertion, so equal-time events run in the order they were
 * scheduled and a run is the same every time. Time is in microseconds.
 * Storage is parallel arrays that grow by doubling; scheduling allocates
 * nothing in steady state.
 */
export interface EventTarget {
  /** Called when the event's time comes; `arg` is whatever was scheduled with it. */
  fire(arg: number): void;
}

export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private args = new Float64Array(1024);
  private targets: (EventTarget | undefined)[] = new Array(1024);
  private size = 0;
  private seq = 0;
  /** The current virtual time in microseconds. */
  now = 0;
  /** Events run so far. */
  eventsRun = 0;

  get pending(): number {
    return this.size;
  }

  /** Schedules `target.fire(arg)` at absolute time `time` (µs); a past time runs at the current time. */
  schedule(time: number, target: EventTarget, arg = 0): void {
    if (time < this.now) time = this.now;
    if (this.size === this.times.length) this.grow();
    let i = this.size++;
    const seq = this.seq++;
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent]!;
      if (pt < time || (pt === time && this.seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.times[i] = time;
    this.seqs[i] = seq;
    this.args[i] = arg;
    this.targets[i] = target;
  }

  /** The time of the next event, or Infinity. */
  peekTime(): number {
    return this.size > 0 ? this.times[0]! : Infinity;
  }

  /** Runs the next event; false if there was none. */
  step(): boolean {
    if (this.size === 0) return false;
    const time = this.times[0]!;
    const target = this.targets[0]!;
    const arg = this.args[0]!;
    this.removeTop();
    this.now = time;
    this.eventsRun++;
    target.fire(arg);
    return true;
  }

  /** Runs every event up to and including time `until` (µs), then sets the clock to `until`. */
  runUntil(until: number): void {
    while (this.size > 0 && this.times[0]! <= until) this.step();
    if (until > this.now) this.now = until;
  }

  private removeTop(): void {
    const last = --this.size;
    const time = this.times[last]!;
    const seq = this.seqs[last]!;
    const arg = this.args[last]!;
    const target = this.targets[last];
    this.targets[last] = undefined;
    if (last === 0) return;
    let i = 0;
    // Sift down.
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (
        right < last &&
        (this.times[right]! < this.times[child]! ||
          (this.times[right] === this.times[child] && this.seqs[right]! < this.seqs[child]!))
      ) {
        child = right;
      }
      const ct = this.times[child]!;
      if (time < ct || (time === ct && seq < this.seqs[child]!)) break;
      this.move(child, i);
      i = child;
    }
    this.times[i] = time;
    this.seqs[i] = seq;
    this.args[i] = arg;
    this.targets[i] = target;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.args[to] = this.args[from]!;
    this.targets[to] = this.targets[from];
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    times.set(this.times);
    const seqs = new Float64Array(n);
    seqs.set(this.seqs);
    const args = new Float64Array(n);
    args.set(this.args);
    this.times = times;
    this.seqs = seqs;
    this.args = args;
    this.targets.length = n;
  }
}
