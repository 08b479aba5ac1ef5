/**
 * The host behind a `node` platform image: one mote in real time in this
 * process. Its millisecond counter is the wall clock since start, its alarm
 * is a `setTimeout`, and its LEDs and debug lines are reported as they
 * change.
 */
import type { MoteHost } from "../sim/MoteHost.ts";

export interface NodeHostOptions {
  readonly nodeId: number;
  /** Called on every LED change, with the time since start in ms. */
  readonly onLed?: (timeMs: number, led: number, on: boolean, leds: number) => void;
  readonly onDebug?: (timeMs: number, channel: string, message: string) => void;
}

export class NodeHost implements MoteHost {
  readonly nodeId: number;
  private readonly started = performance.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private leds = 0;
  private stopped = false;

  constructor(private readonly options: NodeHostOptions) {
    this.nodeId = options.nodeId;
    // The image keeps these functions and calls them without `this` (see MoteHost).
    this.now = this.now.bind(this);
    this.setAlarm = this.setAlarm.bind(this);
    this.cancelAlarm = this.cancelAlarm.bind(this);
    this.setLed = this.setLed.bind(this);
    this.sleep = this.sleep.bind(this);
    this.debug = this.debug.bind(this);
  }

  private elapsed(): number {
    return performance.now() - this.started;
  }

  now(): number {
    return Math.floor(this.elapsed()) >>> 0;
  }

  setAlarm(at: number, fired: () => void): void {
    this.cancelAlarm();
    if (this.stopped) return;
    const delay = (at - this.now()) | 0;
    // Fire when the counter has reached `at`; setTimeout may wake early by a fraction of a ms.
    const arm = (ms: number) => {
      this.timer = setTimeout(() => {
        const left = (at - this.now()) | 0;
        if (left > 0) arm(left);
        else {
          this.timer = undefined;
          fired();
        }
      }, ms);
    };
    arm(Math.max(0, delay));
  }

  cancelAlarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  setLed(index: number, on: boolean): void {
    const bit = 1 << index;
    if (((this.leds & bit) !== 0) === on) return;
    this.leds ^= bit;
    this.options.onLed?.(this.elapsed(), index, on, this.leds);
  }

  sleep(): void {
    // The Node event loop idles by itself between events.
  }

  debug(channel: string, message: string): void {
    this.options.onDebug?.(this.elapsed(), channel, message);
  }

  /** Stops the mote: no more alarms fire. */
  stop(): void {
    this.stopped = true;
    this.cancelAlarm();
  }
}
