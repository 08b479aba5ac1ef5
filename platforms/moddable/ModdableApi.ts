/**
 * The part of the Moddable SDK the `moddable` HAL uses, as types: ECMA-419
 * IO through the host provider (`device.io.Digital`, `Serial`, `Analog`),
 * Moddable's `Timer` and `Time.ticks`, and `moteConfig`, the board's pins
 * and the node id, which the generated `main.js` defines from the
 * project's manifest config (platforms/moddable/project.ts) before the
 * image loads. HAL files declare these globals with `declare const` at
 * module scope, so the rest of the project never sees them.
 */

/** An ECMA-419 Digital instance. */
export interface Digital419 {
  read(): number;
  write(value: number): void;
}

export interface DigitalClass419 {
  new (options: {
    readonly pin: number;
    readonly mode: number;
    readonly edge?: number;
    readonly onReadable?: (this: Digital419) => void;
  }): Digital419;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly Output: number;
  readonly Rising: number;
  readonly Falling: number;
}

/** An ECMA-419 Serial instance in the "number" format (one byte per read or write). */
export interface Serial419 {
  read(): number;
  write(byte: number): void;
}

export interface SerialClass419 {
  new (options: {
    readonly port: number;
    readonly transmit: number;
    readonly receive: number;
    readonly baud: number;
    readonly format: "number";
    readonly onReadable: (this: Serial419, count: number) => void;
    readonly onWritable: (this: Serial419, count: number) => void;
  }): Serial419;
}

export interface Analog419 {
  read(): number;
  readonly resolution: number;
}

export interface AnalogClass419 {
  new (options: { readonly pin: number }): Analog419;
}

/** The ECMA-419 host provider (`device`). */
export interface Device419 {
  readonly io: {
    readonly Digital: DigitalClass419;
    readonly Serial: SerialClass419;
    readonly Analog: AnalogClass419;
  };
}

/** Moddable's `Timer` (module "timer"): ids are host objects. */
export interface ModdableTimer {
  repeat(callback: () => void, interval: number): object;
  /** With an interval: fire after it (then every `repeat` ms if given); with the id only: unscheduled, kept. */
  schedule(id: object, interval?: number, repeat?: number): void;
  clear(id: object): void;
}

/** Moddable's `Time` (module "time"): `ticks` is a millisecond counter. */
export interface ModdableTime {
  readonly ticks: number;
}

/** What the generated main.js gives the image: the board's pins (-1 for none) and the node id. */
export interface MoteConfig {
  readonly nodeId: number;
  /** LED pins, LED 0 first; -1 where the board has none. */
  readonly leds: readonly number[];
  /** Whether an LED lights at 0 (wired to the supply). */
  readonly ledsInverted: boolean;
  /** The user button's pin (-1: none) and whether it reads 0 when pressed. */
  readonly button: number;
  readonly buttonInverted: boolean;
  readonly uart: { readonly port: number; readonly transmit: number; readonly receive: number; readonly baud: number };
}

/** Every property name of those objects the HAL uses: the build must not shorten these. */
export const MODDABLE_HOST_PROPERTIES: readonly string[] = [
  // device
  "io", "Digital", "Serial", "Analog", "Input", "InputPullUp", "Output", "Rising", "Falling",
  // IO instances and their options
  "read", "write", "pin", "mode", "edge", "onReadable", "onWritable", "port", "transmit", "receive", "baud", "format", "resolution",
  // Timer and Time
  "repeat", "schedule", "clear", "ticks",
  // moteConfig
  "nodeId", "leds", "ledsInverted", "button", "buttonInverted", "uart",
];
