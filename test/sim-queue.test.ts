import { describe, expect, it } from "vitest";
import { CalendarQueue } from "../tools/sim/CalendarQueue.ts";
import { EventQueue } from "../tools/sim/EventQueue.ts";
import { Random } from "../tools/sim/Random.ts";

/** Drives a queue with a seeded mix of delays (same µs, same ms, a little ahead, beyond the window) and records the order. */
function drive(queue: EventQueue, seed: number): string[] {
  const rng = new Random(seed);
  const log: string[] = [];
  let id = 0;
  const delay = () => {
    const k = rng.below(6);
    if (k === 0) return 0;
    if (k === 1) return 1000 - (queue.now % 1000); // the next whole millisecond
    if (k === 2) return rng.below(2000);
    if (k === 3) return 1000 * rng.below(300);
    if (k === 4) return 1000 * (4000 + rng.below(8000)); // beyond the 4.096 s window
    return rng.below(50) * 1000;
  };
  const target = {
    fire(arg: number) {
      log.push(`${queue.now}:${arg}`);
      const children = rng.below(4);
      for (let i = 0; i < children && id < 20_000; i++) queue.schedule(queue.now + delay(), target, id++);
    },
  };
  for (let i = 0; i < 50; i++) queue.schedule(rng.below(10_000_000), target, id++);
  // Run in slices with gaps, scheduling from outside between them, as the world and its scripts do.
  for (let slice = 1; slice <= 400 && queue.pending > 0; slice++) {
    queue.runUntil(slice * 777_777);
    expect(queue.peekTime()).toBeGreaterThan(slice * 777_777);
    if (slice % 7 === 0) queue.schedule(queue.now + delay(), target, id++);
  }
  queue.runUntil(Infinity);
  return log;
}

describe("the calendar queue", () => {
  it("runs events in exactly the binary heap's order: by time, then by insertion", () => {
    for (const seed of [1, 2, 3]) {
      const a = drive(new EventQueue(), seed);
      const b = drive(new CalendarQueue(), seed);
      expect(b.length).toBeGreaterThan(5000);
      expect(b).toEqual(a);
    }
  });

  it("counts pending events and runs an empty queue to a time", () => {
    const q = new CalendarQueue();
    expect(q.step()).toBe(false);
    q.runUntil(5000);
    expect(q.now).toBe(5000);
    const fired: number[] = [];
    const t = { fire: (a: number) => fired.push(a) };
    q.schedule(1000, t, 1); // in the past: runs now
    q.schedule(10_000_000, t, 2);
    q.schedule(6000, t, 3);
    expect(q.pending).toBe(3);
    expect(q.peekTime()).toBe(5000);
    q.runUntil(20_000_000);
    expect(fired).toEqual([1, 3, 2]);
    expect(q.eventsRun).toBe(3);
  });
});
