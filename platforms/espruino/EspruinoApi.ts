/**
 * The part of Espruino's own API that the `espruino` HAL uses, as types.
 *
 * An `espruino` image starts its one mote as it loads (`mote()`)
 * and its HAL modules call the interpreter's globals directly. Each HAL file
 * declares the globals it uses with `declare const` at module scope (types
 * only: esbuild drops the declarations), so the rest of the project never
 * sees Espruino's globals. This file holds the shapes and, for the build,
 * every property name of Espruino's objects the HAL touches: the minifier
 * shortens the image's own property names and must leave these alone.
 */

/** An Espruino pin (`LED1`, `D5`, `BTN1`...). */
export interface EspruinoPin {
  readonly __espruinoPin?: true;
}

/** A serial device: `Serial1`, `USB`, `Bluetooth`. */
export interface EspruinoSerial {
  write(data: string | number | Uint8Array): void;
  on(event: "data", handler: (data: string) => void): void;
  setConsole(force?: boolean): void;
}

/** What `setWatch` passes to its callback. */
export interface EspruinoWatchEvent {
  readonly state: boolean;
  readonly time: number;
  readonly lastTime?: number;
}

export interface EspruinoWatchOptions {
  readonly repeat: boolean;
  readonly edge: "rising" | "falling" | "both";
  readonly debounce: number;
}

/** The `E` object (only what the HAL uses). */
export interface EspruinoE {
  getTemperature(): number;
  getConsole(): string | null;
}

/** A device found by `NRF.setScan`. */
export interface EspruinoBleDevice {
  /** The sender's address ("aa:bb:cc:dd:ee:ff random"). */
  readonly id: string;
  readonly rssi: number;
  readonly manufacturer?: number;
  readonly manufacturerData?: ArrayBuffer | readonly number[];
}

/** Advertising options (`NRF.setAdvertising(data, options)`). */
export interface EspruinoAdvertisingOptions {
  readonly manufacturer?: number;
  readonly manufacturerData?: Uint8Array | readonly number[];
  readonly interval?: number;
  readonly showName?: boolean;
}

/** The `NRF` object on nRF52 boards (Puck.js, MDBT42Q, Pixl.js...). */
export interface EspruinoNrf {
  setAdvertising(data: Record<string, never>, options?: EspruinoAdvertisingOptions): void;
  setScan(
    callback?: (device: EspruinoBleDevice) => void,
    options?: { readonly filters: readonly { readonly manufacturerData: Readonly<Record<number, Record<string, never>>> }[] },
  ): void;
}

/** `require("Storage")`. */
export interface EspruinoStorage {
  readJSON(name: string, noExceptions: boolean): unknown;
}

/** The global object (`global`), for what a board may or may not define. */
export interface EspruinoGlobal {
  readonly LED1?: EspruinoPin;
  readonly LED2?: EspruinoPin;
  readonly LED3?: EspruinoPin;
  readonly BTN1?: EspruinoPin;
  readonly BTN?: EspruinoPin;
  readonly Serial1?: EspruinoSerial;
  readonly LoopbackA?: EspruinoSerial;
  readonly Puck?: { light(): number };
  require(name: "Storage"): EspruinoStorage;
  readonly [name: string]: unknown;
}

/**
 * Every property name of Espruino's objects (and of the option objects it
 * reads) that the HAL uses. The build must not shorten these.
 */
export const ESPRUINO_HOST_PROPERTIES: readonly string[] = [
  // global
  "LED1", "LED2", "LED3", "BTN1", "BTN", "Serial1", "LoopbackA", "USB", "Bluetooth", "Puck", "require",
  // Storage
  "readJSON",
  // E
  "getTemperature", "getConsole",
  // serial devices
  "write", "on", "setConsole",
  // setWatch options and events
  "repeat", "edge", "debounce", "state", "time", "lastTime",
  // NRF
  "setAdvertising", "setScan", "manufacturer", "manufacturerData", "interval", "showName", "filters", "rssi", "id",
  // Puck.js
  "light",
  // typed arrays the HAL views
  "buffer", "byteOffset", "length", "charCodeAt",
];
