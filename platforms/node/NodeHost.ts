/**
 * The host behind a `node` platform image: one mote in real time in this
 * process. Its millisecond counter is the wall clock since start, its alarm
 * is a `setTimeout`, and its LEDs and debug lines are reported as they
 * change.
 */
import { bindHostFunctions, type MoteHost } from "../sim/MoteHost.ts";

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
  private interrupt: (() => void) | undefined;
  private at = 0;
  private leds = 0;
  private stopped = false;

  constructor(private readonly options: NodeHostOptions) {
    this.nodeId = options.nodeId;
    bindHostFunctions(this); // the image calls them without `this` (see MoteHost)
  }

  private elapsed(): number {
    return performance.now() - this.started;
  }

  now(): number {
    return Math.floor(this.elapsed()) >>> 0;
  }

  onAlarm(fired: () => void): void {
    this.interrupt = fired;
  }

  startAlarmAt(t0: number, dt: number): void {
    this.stopAlarm();
    if (this.stopped) return;
    const at = (t0 + dt) >>> 0;
    this.at = at;
    // Fire once the counter has reached `at`; setTimeout may wake a fraction of a ms early.
    const arm = () => {
      const elapsed = (this.now() - t0) >>> 0;
      const left = elapsed >= dt ? 0 : dt - elapsed;
      this.timer = setTimeout(() => {
        if (((this.now() - t0) >>> 0) < dt) arm();
        else {
          this.timer = undefined;
          this.interrupt?.();
        }
      }, left);
    };
    arm();
  }

  stopAlarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  alarmRunning(): boolean {
    return this.timer !== undefined;
  }

  alarmTime(): number {
    return this.at;
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
    this.stopAlarm();
  }
}
