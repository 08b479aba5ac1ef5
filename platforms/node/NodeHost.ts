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
  /** Bytes the mote sends on its UART. */
  readonly onUart?: (bytes: Uint8Array) => void;
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

  // A host process has no radio: sends end with EOFF (4), as on a mote whose radio is off.
  private radioDone: ((error: number, acked: boolean) => void) | undefined;
  radioPower(_on: boolean): void {}
  radioSend(_frame: Uint8Array, _length: number, _wantAck: boolean): void {
    setImmediate(() => this.radioDone?.(4, false));
  }
  radioCancel(): boolean {
    return false;
  }
  onRadioSendDone(handler: (error: number, acked: boolean) => void): void {
    this.radioDone = handler;
  }
  onRadioReceive(_handler: (frame: Uint8Array, length: number, rssi: number) => void): void {}

  // The UART goes to `options.onUart` (a serial device or stdout, as the runner chooses).
  private uartDone: (() => void) | undefined;
  private uartByte: ((byte: number) => void) | undefined;
  uartSend(bytes: Uint8Array, length: number): void {
    this.options.onUart?.(bytes.slice(0, length));
    setImmediate(() => this.uartDone?.());
  }
  onUartSendDone(handler: () => void): void {
    this.uartDone = handler;
  }
  onUartReceive(handler: (byte: number) => void): void {
    this.uartByte = handler;
  }
  /** Feeds bytes from the serial device to the mote. */
  uartInput(bytes: Uint8Array): void {
    for (const b of bytes) this.uartByte?.(b);
  }

  /** No sensors on a host: a slow triangle wave, so readings move. */
  readSensor(channel: number): number {
    const t = Math.floor(this.elapsed() / 100) % 200;
    return ((t < 100 ? t : 200 - t) * 10 + channel * 7) & 0x3ff;
  }

  /** Stops the mote: no more alarms fire. */
  stop(): void {
    this.stopped = true;
    this.stopAlarm();
  }
}
