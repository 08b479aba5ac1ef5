/**
 * One simulated mote: the MoteHost an image talks to, on the shared virtual
 * clock. It keeps the LED trace and counts what the mote did; the image's
 * own state lives in the closures the factory created, so turning the mote
 * off drops them and turning it on calls the factory again: a reboot from
 * scratch, as on hardware.
 *
 * Alone (as the kernel tests use it) it has no radio neighbours and no
 * serial peer; in a World it gets a radio (Radio.ts), a UART and sensors.
 */
import type { MoteHost } from "../../platforms/sim/MoteHost.ts";
import type { EventQueue, EventTarget } from "./EventQueue.ts";
import type { ImageFactory } from "./image.ts";
import type { MoteRadio } from "./Radio.ts";
import type { Position } from "./Topology.ts";
import type { Tracer } from "./Trace.ts";

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
  /** Keep debug lines in `debugLines` (default true). */
  readonly keepDebug?: boolean;
  /** Keep the bytes the mote writes to its UART in `serialOutput` (default true). */
  readonly keepSerial?: boolean;
  /** Where the mote is, in metres (for generated topologies and sensors). */
  readonly position?: Position;
}

/** What the world around a mote provides: sensors, debug listeners, the trace. */
export interface MoteEnvironment {
  readonly tracer: Tracer | undefined;
  /** µs per UART byte (10 bits at the baud rate). */
  readonly uartByteUs: number;
  readSensor(mote: SimMote, channel: number): number;
  debug(mote: SimMote, channel: string, message: string): void;
}

/** Per-mote counters (the summary table's columns and more). */
export class MoteCounters {
  /** Packets handed to the radio (one per send, however many tries). */
  sent = 0;
  /** Frames put on the air (first tries and retries). */
  transmissions = 0;
  retries = 0;
  /** Unicast sends the destination acknowledged / did not. */
  acked = 0;
  noAck = 0;
  /** Sends that failed (radio off, channel busy too long, cancelled). */
  sendFailed = 0;
  /**
   * Frames addressed to this mote (or broadcast; any frame, without address
   * recognition) that it received / lost to noise / lost to a collision.
   */
  received = 0;
  lost = 0;
  collided = 0;
  /** Of those received, unicast frames for other motes (only without address recognition: a sniffer's). */
  overheard = 0;
  /** Retransmissions the radio recognised and did not deliver twice. */
  duplicates = 0;
  /** Clear-channel assessments that found the channel busy. */
  ccaBusy = 0;
  serialBytesOut = 0;
  serialBytesIn = 0;
  boots = 0;
}

const US_PER_MS = 1000;

/**
 * Zero for fields that hold µs times: a double from the start (V8 keeps -0
 * out of small integers), so no field changes representation when times
 * pass 2^31 µs (36 minutes), which would migrate every mote's object and
 * slow the rest of a long run.
 */
export const TIME_ZERO = -0;
const BOOT = -1;
const OFF = -2;

/** The UART's two event sources, so their generations stay apart from the alarm's. */
class UartTx implements EventTarget {
  gen = 0;
  constructor(private readonly mote: SimMote) {}
  fire(arg: number): void {
    if (arg === this.gen) this.mote.uartDoneInterrupt();
  }
}
class UartRx implements EventTarget {
  gen = 0;
  constructor(private readonly mote: SimMote) {}
  fire(arg: number): void {
    if (Math.floor(arg / 256) === this.gen) this.mote.uartByteInterrupt(arg & 255);
  }
}

export class SimMote implements MoteHost, EventTarget {
  // The fields every alarm event touches come first, so they share cache lines.
  private readonly queue: EventQueue;
  private alarmGeneration = 0;
  private alarmArmed = false;
  private alarmCallback: (() => void) | undefined = undefined;
  alarmsFired = 0;
  private alarmAt = 0;
  private readonly clockOffsetMs: number;
  /** Current LED states, bit i for LED i. */
  leds = 0;
  /** LED changes the application made (the summary's "LED toggles"; going dark at power-off is not one). */
  ledChanges = 0;
  private readonly traceLeds: boolean;
  /** Sensors, debug listeners and the trace, when the mote is in a World. */
  env: MoteEnvironment | undefined = undefined;
  /** Whether to account LED-lit time (the world turns it on when its energy table charges LEDs). */
  trackLedTime = false;
  /** LED-lit time (µs, summed over LEDs) up to `ledsSince`, when the LEDs last changed. */
  private ledOnUs = TIME_ZERO;
  private ledsSince = TIME_ZERO;
  /** Wake-ups: each interrupt's task loop ends with one (the CPU model counts them). */
  sleeps = 0;
  /** Wake-ups while the radio was on (the MCU can only idle then, not suspend). */
  sleepsRadioOn = 0;
  /** Set by the radio: whether it is on now. */
  radioIsOn = false;
  readonly ledTrace: LedChange[] = [];

  readonly nodeId: number;
  /** Index in the world (0 for a lone mote). */
  index = 0;
  position: Position;
  readonly debugLines: DebugLine[] = [];
  readonly counters = new MoteCounters();
  booted = false;
  /** The radio, when the mote is in a World. */
  radio: MoteRadio | undefined = undefined;
  /** Called with the bytes of every UART send (the pty bridge listens here). */
  readonly serialListeners: ((bytes: Uint8Array) => void)[] = [];
  /**
   * What the image is given: this mote's MoteHost functions, callable
   * without `this`. Made afresh at each boot, right before the image makes
   * its own state, so the two lie together in memory.
   */
  host: MoteHost;
  /** Sensor readings per channel (for the energy account). */
  readonly sensorReads = new Map<number, number>();

  private poweredUs = TIME_ZERO;
  private poweredSince = TIME_ZERO;
  private readonly factory: ImageFactory;
  private readonly keepDebug: boolean;
  private readonly keepSerial: boolean;
  private readonly variables = new Map<string, string>();
  private serialOut = new Uint8Array(256);
  private serialOutLength = 0;
  private readonly uartTx = new UartTx(this);
  private readonly uartRx = new UartRx(this);
  private uartSending = false;
  private uartRxFreeAt = TIME_ZERO;
  private uartDone: (() => void) | undefined = undefined;
  private uartReceive: ((byte: number) => void) | undefined = undefined;
  private loneRadioDone: ((error: number, acked: boolean) => void) | undefined = undefined;

  constructor(queue: EventQueue, factory: ImageFactory, options: SimMoteOptions) {
    this.queue = queue;
    this.factory = factory;
    this.nodeId = options.nodeId;
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.traceLeds = options.traceLeds ?? true;
    this.keepDebug = options.keepDebug ?? true;
    this.keepSerial = options.keepSerial ?? true;
    this.position = options.position ?? { x: 0, y: 0 };
    this.host = hostFor(this);
  }

  /**
   * Starts the image now (the boot sequence runs to completion at the
   * current virtual time). A mote already running is turned off first, so
   * it starts from scratch.
   */
  boot(): void {
    if (this.booted) this.powerOff();
    this.booted = true;
    this.counters.boots++;
    this.variables.clear(); // a reboot starts from scratch: no value written before it is current
    this.poweredSince = this.queue.now;
    this.env?.tracer?.life(this.queue.now, this.nodeId, "boot");
    this.host = hostFor(this);
    this.factory(this.host);
  }

  /**
   * Cuts the power: the image's state is gone, pending alarms, UART bytes
   * and radio activity with it, the LEDs go dark. `boot()` starts it again.
   */
  powerOff(): void {
    if (!this.booted) return;
    const now = this.queue.now;
    this.booted = false;
    this.poweredUs += now - this.poweredSince;
    this.alarmGeneration++;
    this.alarmArmed = false;
    this.alarmCallback = undefined;
    this.uartTx.gen++;
    this.uartRx.gen++;
    this.uartSending = false;
    this.uartDone = undefined;
    this.uartReceive = undefined;
    this.loneRadioDone = undefined;
    this.radio?.reset();
    // Going dark is the power cut's doing, not a toggle of the application's: traced, not counted.
    for (let i = 0; i < 3; i++) if (this.leds & (1 << i)) this.changeLed(i, false, false);
    this.env?.tracer?.life(now, this.nodeId, "off");
  }

  /** Boots at virtual time `timeMs` (rebooting if it is running then). */
  bootAt(timeMs: number): void {
    this.queue.schedule(timeMs * US_PER_MS, this, BOOT);
  }

  /** Turns the mote off at virtual time `timeMs`. */
  powerOffAt(timeMs: number): void {
    this.queue.schedule(timeMs * US_PER_MS, this, OFF);
  }

  fire(arg: number): void {
    if (arg === BOOT) {
      this.boot();
      return;
    }
    if (arg === OFF) {
      this.powerOff();
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
    this.changeLed(index, on, true);
  }

  /** Switches an LED, accounting its on-time and tracing it; `counted`: the application's doing (ledChanges). */
  private changeLed(index: number, on: boolean, counted: boolean): void {
    const bit = 1 << index;
    const was = (this.leds & bit) !== 0;
    if (was === on) return;
    const now = this.queue.now;
    const lit = this.leds;
    if (this.trackLedTime) {
      if (lit !== 0) this.ledOnUs += (now - this.ledsSince) * ((lit & 1) + ((lit >> 1) & 1) + (lit >> 2));
      this.ledsSince = now;
    }
    this.leds = lit ^ bit;
    if (counted) this.ledChanges++;
    if (this.traceLeds) this.ledTrace.push({ timeMs: now / US_PER_MS, led: index, on });
    if (this.env !== undefined && this.env.tracer !== undefined) this.env.tracer.led(now, this.nodeId, index, on);
  }

  sleep(): void {
    this.sleeps++;
    if (this.radioIsOn) this.sleepsRadioOn++;
  }

  debug(channel: string, message: string): void {
    if (this.keepDebug) this.debugLines.push({ timeMs: this.queue.now / US_PER_MS, channel, message });
    this.variables.set(channel, message);
    this.env?.debug(this, channel, message);
  }

  // Radio: in a World the radio model does it; a lone mote's sends complete at once, unheard.

  radioPower(on: boolean): void {
    if (this.radio) this.radio.power(on);
  }

  radioSend(frame: Uint8Array, length: number, wantAck: boolean): void {
    if (this.radio) {
      this.radio.send(frame, length, wantAck);
      return;
    }
    this.queue.schedule(this.queue.now, { fire: () => this.loneRadioDone?.(0, false) });
  }

  radioCancel(): boolean {
    return this.radio ? this.radio.cancel() : false;
  }

  onRadioSendDone(handler: (error: number, acked: boolean) => void): void {
    if (this.radio) this.radio.sendDoneHandler = handler;
    else this.loneRadioDone = handler;
  }

  onRadioReceive(handler: (frame: Uint8Array, length: number, rssi: number) => void): void {
    if (this.radio) this.radio.receiveHandler = handler;
  }

  radioConfigure(addressRecognition: boolean, autoAck: boolean): void {
    this.radio?.configure(addressRecognition, autoAck);
  }

  // UART: bytes leave at the baud rate; send-done follows the last one.

  uartSend(bytes: Uint8Array, length: number): void {
    const now = this.queue.now;
    const copy = bytes.slice(0, length);
    this.counters.serialBytesOut += length;
    if (this.keepSerial) this.keepSerialBytes(copy);
    for (const l of this.serialListeners) l(copy);
    this.env?.tracer?.serial(now, this.nodeId, "out", copy, length);
    this.uartSending = true;
    const byteUs = this.env ? this.env.uartByteUs : DEFAULT_UART_BYTE_US;
    this.queue.schedule(now + Math.round(length * byteUs), this.uartTx, ++this.uartTx.gen);
  }

  onUartSendDone(handler: () => void): void {
    this.uartDone = handler;
  }

  onUartReceive(handler: (byte: number) => void): void {
    this.uartReceive = handler;
  }

  /** @internal the UART finished sending. */
  uartDoneInterrupt(): void {
    if (!this.uartSending) return;
    this.uartSending = false;
    this.uartDone?.();
  }

  /** @internal a byte arrived on the UART. */
  uartByteInterrupt(byte: number): void {
    this.counters.serialBytesIn++;
    this.uartReceive?.(byte);
  }

  /** Bytes arriving on the mote's UART, one per byte time from now (after any still arriving). */
  serialInput(bytes: Uint8Array | readonly number[]): void {
    const byteUs = this.env ? this.env.uartByteUs : DEFAULT_UART_BYTE_US;
    let at = Math.max(this.queue.now, this.uartRxFreeAt);
    const data = Uint8Array.from(bytes);
    if (data.length > 0) this.env?.tracer?.serial(this.queue.now, this.nodeId, "in", data, data.length);
    for (const b of data) {
      at += byteUs;
      this.queue.schedule(Math.round(at), this.uartRx, this.uartRx.gen * 256 + b);
    }
    this.uartRxFreeAt = at;
  }

  /** Everything the mote has written to its UART (kept unless keepSerial is false). */
  get serialOutput(): Uint8Array {
    return this.serialOut.subarray(0, this.serialOutLength);
  }

  private keepSerialBytes(bytes: Uint8Array): void {
    if (this.serialOutLength + bytes.length > this.serialOut.length) {
      const grown = new Uint8Array(Math.max(this.serialOut.length * 2, this.serialOutLength + bytes.length));
      grown.set(this.serialOut.subarray(0, this.serialOutLength));
      this.serialOut = grown;
    }
    this.serialOut.set(bytes, this.serialOutLength);
    this.serialOutLength += bytes.length;
  }

  // Sensors

  readSensor(channel: number): number {
    this.sensorReads.set(channel, (this.sensorReads.get(channel) ?? 0) + 1);
    return this.env ? this.env.readSensor(this, channel) : 0;
  }

  // Observing

  /** The messages written to one debug channel. */
  channel(name: string): string[] {
    return this.debugLines.filter((l) => l.channel === name).map((l) => l.message);
  }

  /**
   * The last message on debug channel `name` since the mote last booted
   * (undefined if none): a module makes a variable readable by writing it
   * there whenever it changes (`c.Debug.dbg("count", String(count))`), where
   * TOSSIM's getVariable reads memory. Board builds take `dbg` calls out,
   * arguments and all, so this costs them nothing. See docs/simulator.md.
   */
  variable(name: string): string | undefined {
    return this.variables.get(name);
  }

  /** Time powered so far, µs. */
  poweredTimeUs(): number {
    return this.poweredUs + (this.booted ? this.queue.now - this.poweredSince : 0);
  }

  /** Total LED-lit time so far (all LEDs), µs; 0 unless `trackLedTime`. */
  ledOnTimeUs(): number {
    if (!this.trackLedTime) return 0;
    const lit = this.leds;
    let us = this.ledOnUs;
    if (lit !== 0) us += (this.queue.now - this.ledsSince) * ((lit & 1) + ((lit >> 1) & 1) + (lit >> 2));
    return us;
  }
}

/** 115200 baud, 10 bits a byte. */
export const DEFAULT_UART_BYTE_US = 1e7 / 115200;

/**
 * The object the image gets: the mote's MoteHost functions as arrows that
 * need no `this` (the image calls them bare, see MoteHost). Each is made by
 * its own literal, so a call site in the image sees one function across
 * every mote (closures of one literal share their feedback) and V8 can
 * inline the host into the image, where bound functions would make the
 * site megamorphic. The arrows call the mote's methods, so a subclass's
 * overrides are honoured.
 */
function hostFor(mote: SimMote): MoteHost {
  return {
    nodeId: mote.nodeId,
    now: () => mote.now(),
    onAlarm: (fired) => mote.onAlarm(fired),
    startAlarmAt: (t0, dt) => mote.startAlarmAt(t0, dt),
    stopAlarm: () => mote.stopAlarm(),
    alarmRunning: () => mote.alarmRunning(),
    alarmTime: () => mote.alarmTime(),
    setLed: (index, on) => mote.setLed(index, on),
    sleep: () => mote.sleep(),
    debug: (channel, message) => mote.debug(channel, message),
    radioPower: (on) => mote.radioPower(on),
    radioSend: (frame, length, wantAck) => mote.radioSend(frame, length, wantAck),
    radioCancel: () => mote.radioCancel(),
    onRadioSendDone: (handler) => mote.onRadioSendDone(handler),
    onRadioReceive: (handler) => mote.onRadioReceive(handler),
    radioConfigure: (addressRecognition, autoAck) => mote.radioConfigure(addressRecognition, autoAck),
    uartSend: (bytes, length) => mote.uartSend(bytes, length),
    onUartSendDone: (handler) => mote.onUartSendDone(handler),
    onUartReceive: (handler) => mote.onUartReceive(handler),
    readSensor: (channel) => mote.readSensor(channel),
  };
}
