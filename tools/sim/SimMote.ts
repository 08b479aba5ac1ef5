/**
 * One simulated mote: the MoteHost an image talks to, on the shared virtual
 * clock. It keeps the LED trace and counts what the mote did; the image's
 * own state lives in the closures the factory created.
 */
import { bindHostFunctions, type MoteHost } from "../../platforms/sim/MoteHost.ts";
import type { EventQueue, EventTarget } from "./EventQueue.ts";
import type { ImageFactory } from "./image.ts";

export interface LedChange {
  /** Virtual time of the change, in milliseconds since the simulation started. */
  readonly timeMs: number;
  readonly led: number;
  readonly on: boolean;
}

export interface DebugLine {
  readonly timeMs: number;
  readonly channel: string;
  readonly message: string;
}

export interface SimMoteOptions {
  readonly nodeId: number;
  /** The mote's millisecond counter at simulation time 0 (to test the 32-bit wrap). */
  readonly clockOffsetMs?: number;
  /** Keep the LED trace (default true). */
  readonly traceLeds?: boolean;
}

const US_PER_MS = 1000;

export class SimMote implements MoteHost, EventTarget {
  readonly nodeId: number;
  readonly ledTrace: LedChange[] = [];
  readonly debugLines: DebugLine[] = [];
  /** Current LED states, bit i for LED i. */
  leds = 0;
  ledChanges = 0;
  alarmsFired = 0;
  sleeps = 0;
  booted = false;
  private readonly clockOffsetMs: number;
  private readonly traceLeds: boolean;
  private alarmGeneration = 0;
  private alarmCallback: (() => void) | undefined;
  private alarmArmed = false;
  private alarmAt = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly factory: ImageFactory,
    options: SimMoteOptions,
  ) {
    this.nodeId = options.nodeId;
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.traceLeds = options.traceLeds ?? true;
    bindHostFunctions(this); // the image calls them without `this` (see MoteHost)
  }

  /** Starts the image now (the boot sequence runs to completion at the current virtual time). */
  boot(): void {
    this.booted = true;
    this.factory(this);
  }

  /** Boots at virtual time `timeMs`. */
  bootAt(timeMs: number): void {
    this.queue.schedule(timeMs * US_PER_MS, this, -1);
  }

  fire(arg: number): void {
    if (arg === -1) {
      this.boot();
      return;
    }
    if (arg !== this.alarmGeneration || !this.alarmArmed) return; // re-armed or stopped since
    this.alarmArmed = false;
    this.alarmsFired++;
    this.alarmCallback?.();
  }

  // MoteHost

  now(): number {
    return (Math.floor(this.queue.now / US_PER_MS) + this.clockOffsetMs) >>> 0;
  }

  onAlarm(fired: () => void): void {
    this.alarmCallback = fired;
  }

  startAlarmAt(t0: number, dt: number): void {
    const nowMs = this.now();
    const elapsed = (nowMs - t0) >>> 0;
    const remaining = elapsed >= dt ? 0 : dt - elapsed;
    this.alarmAt = (t0 + dt) >>> 0;
    this.alarmArmed = true;
    const when = remaining === 0 ? this.queue.now : (Math.floor(this.queue.now / US_PER_MS) + remaining) * US_PER_MS;
    this.queue.schedule(when, this, ++this.alarmGeneration);
  }

  stopAlarm(): void {
    this.alarmGeneration++;
    this.alarmArmed = false;
  }

  alarmRunning(): boolean {
    return this.alarmArmed;
  }

  alarmTime(): number {
    return this.alarmAt;
  }

  setLed(index: number, on: boolean): void {
    const bit = 1 << index;
    const was = (this.leds & bit) !== 0;
    if (was === on) return;
    this.leds ^= bit;
    this.ledChanges++;
    if (this.traceLeds) this.ledTrace.push({ timeMs: this.queue.now / US_PER_MS, led: index, on });
  }

  sleep(): void {
    this.sleeps++;
  }

  debug(channel: string, message: string): void {
    this.debugLines.push({ timeMs: this.queue.now / US_PER_MS, channel, message });
  }

  // Radio, UART and sensors: a lone mote has no radio neighbours and no serial peer.
  // (The multi-mote world attaches a channel model and serial ports here.)
  private radioDone: ((error: number, acked: boolean) => void) | undefined;
  radioPower(_on: boolean): void {}
  radioSend(_frame: Uint8Array, _length: number, _wantAck: boolean): void {
    this.queue.schedule(this.queue.now, { fire: () => this.radioDone?.(0, false) });
  }
  radioCancel(): boolean {
    return false;
  }
  onRadioSendDone(handler: (error: number, acked: boolean) => void): void {
    this.radioDone = handler;
  }
  onRadioReceive(_handler: (frame: Uint8Array, length: number, rssi: number) => void): void {}
  private uartDone: (() => void) | undefined;
  uartSend(_bytes: Uint8Array, _length: number): void {
    this.queue.schedule(this.queue.now, { fire: () => this.uartDone?.() });
  }
  onUartSendDone(handler: () => void): void {
    this.uartDone = handler;
  }
  onUartReceive(_handler: (byte: number) => void): void {}
  readSensor(_channel: number): number {
    return 0;
  }

  /** The messages written to one debug channel. */
  channel(name: string): string[] {
    return this.debugLines.filter((l) => l.channel === name).map((l) => l.message);
  }
}
