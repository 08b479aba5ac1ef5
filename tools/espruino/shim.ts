/**
 * Espruino's API in Node, on virtual time: enough of it to run an `espruino`
 * image as a board would (its HAL calls the interpreter's globals) and to
 * watch what it does. Tests use it to check images exactly (LED changes at
 * the exact millisecond); the build uses it to start an image once and
 * count what it allocates (platforms/espruino/jsvars.ts).
 *
 * What it models, from Espruino's documentation and sources:
 * - `getTime()` is seconds (a float); `setTimeout(fn, ms)` counts from the
 *   start of the current event and returns ids from 1; `clearTimeout()`
 *   and `clearWatch()` without an id clear everything (as Espruino does);
 * - pins are objects (`LED1`, `BTN1`, `D5`...); `digitalWrite` records the
 *   board's LEDs; `setWatch` with `debounce` and `edge`;
 * - serial devices (`USB`, `Serial1`, `Bluetooth`, `LoopbackA`) with
 *   `write`, `on("data")`, `setConsole`; `E.getConsole()`;
 * - `require("Storage").readJSON`, `E.getTemperature()`, `analogRead`,
 *   `Puck.light()`, `NRF.setAdvertising` / `NRF.setScan` on nRF52 boards;
 * - the built-ins Espruino lacks (`Map`, `Set`, `Symbol`, `WeakMap`,
 *   `setImmediate`, `Math.imul`...) are absent, so an image that uses one
 *   fails here as it would on the board.
 */
import type { LedChange } from "../sim/SimMote.ts";

export type { LedChange };

/** What a shim board has. */
export interface ShimBoard {
  readonly name: string;
  /** LED pin names in LED1, LED2, LED3 order. */
  readonly leds: readonly string[];
  /** The button's global name (`BTN1`), if any. */
  readonly button?: string;
  /** The console device at boot. */
  readonly console: "USB" | "Serial1" | "Bluetooth";
  /** Whether the board has the `NRF` object (nRF52 BLE). */
  readonly ble: boolean;
  /** `process.env.BOARD`. */
  readonly env: string;
  /** Whether the board has `Puck.light()`. */
  readonly puck?: boolean;
  /** LEDs lit by a low pin, a bit mask over `leds` (the ESP8266's ESP-12 LED). Lit at reset, as pins start low. */
  readonly ledsActiveLow?: number;
}

export const SHIM_BOARDS: Readonly<Record<string, ShimBoard>> = {
  pico: { name: "pico", leds: ["LED1", "LED2"], button: "BTN1", console: "USB", ble: false, env: "PICO_R1_3" },
  puckjs: { name: "puckjs", leds: ["LED1", "LED2", "LED3"], button: "BTN1", console: "Bluetooth", ble: true, env: "PUCKJS", puck: true },
  mdbt42q: { name: "mdbt42q", leds: ["LED1"], button: "BTN1", console: "Serial1", ble: true, env: "MDBT42Q" },
  esp32: { name: "esp32", leds: [], console: "Serial1", ble: false, env: "ESP32" },
  esp8266: { name: "esp8266", leds: [], console: "Serial1", ble: false, env: "ESP8266_4MB" },
  /** A test board with three LEDs, a button, a console on Serial1 and BLE. */
  test: { name: "test", leds: ["LED1", "LED2", "LED3"], button: "BTN1", console: "Serial1", ble: true, env: "TEST" },
};

export interface EspruinoShimOptions {
  /** A board of SHIM_BOARDS or a description (default `test`). */
  readonly board?: string | ShimBoard;
  /** The millisecond counter (`getTime() * 1000`) at virtual time 0 (to test the 32-bit wrap). */
  readonly clockOffsetMs?: number;
  /** Storage files, name to contents (text, as `require("Storage").write` stores it). */
  readonly storage?: Readonly<Record<string, string>>;
  /** `E.getTemperature()`, °C. */
  readonly temperature?: number;
  /** `analogRead` and `Puck.light()`, 0..1. */
  readonly analog?: number;
  /** Extra globals for the image (the build's allocation counters). */
  readonly extraGlobals?: Readonly<Record<string, unknown>>;
}

/** An Espruino pin. */
export class ShimPin {
  value = 0;
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

/** A serial device: what the image wrote, and its `data` handlers. */
export class ShimSerial {
  readonly written: number[] = [];
  readonly handlers: ((data: string) => void)[] = [];
  constructor(
    readonly name: string,
    private readonly shim: EspruinoShim,
  ) {}
  write(...items: unknown[]): void {
    for (const item of items) {
      if (typeof item === "number") this.written.push(item & 0xff);
      else if (typeof item === "string") for (let i = 0; i < item.length; i++) this.written.push(item.charCodeAt(i) & 0xff);
      else if (item instanceof Uint8Array || Array.isArray(item)) for (const b of Array.from(item as ArrayLike<number>)) this.written.push(Number(b) & 0xff);
      else throw new TypeError(`${this.name}.write: cannot write ${String(item)}`);
    }
  }
  print(text: string): void {
    this.write(String(text));
  }
  println(text: string): void {
    this.write(`${String(text)}\r\n`);
  }
  on(event: string, handler: (data: string) => void): void {
    if (event === "data") this.handlers.push(handler);
  }
  setConsole(): void {
    this.shim.consoleDevice = this.name;
  }
  setup(): void {}
}

/** One advertising change: what `NRF.setAdvertising` was given. */
export interface ShimAdvertisement {
  readonly timeMs: number;
  readonly manufacturer: number | undefined;
  readonly manufacturerData: number[] | undefined;
  readonly interval: number | undefined;
}

interface ShimTimer {
  readonly id: number;
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

interface ShimWatch {
  readonly id: number;
  readonly pin: ShimPin;
  readonly callback: (e: { state: boolean; time: number; lastTime: number }) => void;
  readonly repeat: boolean;
  readonly edge: string;
  readonly debounce: number;
  lastTime: number;
  /** The pin state last reported (debounced watches). */
  reported: number;
  /** The debounce check pending, if any. */
  pending: ShimTimer | undefined;
}

/** The built-ins Espruino does not have: shadowed with `undefined` in the image's scope. */
const ABSENT_GLOBALS = ["Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Symbol", "Proxy", "Reflect", "BigInt", "setImmediate", "queueMicrotask", "structuredClone"];
const ABSENT_MATH = new Set(["imul", "clz32", "trunc"]);

export class EspruinoShim {
  readonly board: ShimBoard;
  /** Virtual time, in milliseconds since the shim started. */
  timeMs = 0;
  readonly ledTrace: LedChange[] = [];
  /** LED states, bit i for LED i. */
  leds = 0;
  readonly pins = new Map<string, ShimPin>();
  readonly serial: Readonly<Record<string, ShimSerial>>;
  consoleDevice: string;
  readonly advertising: ShimAdvertisement[] = [];
  scanCallback: ((device: Record<string, unknown>) => void) | undefined;
  scanOptions: unknown;
  readonly storage: Map<string, string>;
  temperature: number;
  analog: number;
  /** Errors thrown by event handlers (Espruino prints them and carries on). */
  readonly uncaught: unknown[] = [];
  eventsRun = 0;
  private readonly clockOffsetMs: number;
  private timers: ShimTimer[] = [];
  private watches: ShimWatch[] = [];
  private nextTimerId = 1;
  private nextWatchId = 1;
  private seq = 0;
  private readonly extraGlobals: Readonly<Record<string, unknown>>;

  constructor(options: EspruinoShimOptions = {}) {
    const board = options.board ?? "test";
    this.board = typeof board === "string" ? SHIM_BOARDS[board] ?? fail(`no shim board ${board}`) : board;
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.storage = new Map(Object.entries(options.storage ?? {}));
    this.temperature = options.temperature ?? 21.5;
    this.analog = options.analog ?? 0.5;
    this.extraGlobals = options.extraGlobals ?? {};
    this.consoleDevice = this.board.console;
    // Pins start low: an active-low LED is lit until the image says otherwise.
    this.leds = this.board.ledsActiveLow ?? 0;
    const serial: Record<string, ShimSerial> = {};
    for (const name of ["USB", "Serial1", "Bluetooth", "LoopbackA", "LoopbackB"]) serial[name] = new ShimSerial(name, this);
    this.serial = serial;
  }

  /** The pin called `name` (created on first use). */
  pin(name: string): ShimPin {
    let p = this.pins.get(name);
    if (!p) {
      p = new ShimPin(name);
      this.pins.set(name, p);
    }
    return p;
  }

  /** `getTime() * 1000`. */
  nowMs(): number {
    return this.timeMs + this.clockOffsetMs;
  }

  /** The globals an image sees, by name. */
  globals(): Record<string, unknown> {
    const shim = this;
    const g: Record<string, unknown> = {};
    this.board.leds.forEach((name, i) => {
      const pin = this.pin(`LED${i + 1}`);
      g[name] = pin;
    });
    if (this.board.button) {
      g[this.board.button] = this.pin(this.board.button);
      g.BTN = g[this.board.button];
    }
    if (this.board.name !== "pico") for (let i = 0; i < 40; i++) g[`D${i}`] = this.pin(`D${i}`);
    if (this.board.name === "pico") for (const n of ["A0", "A1", "A5", "A6", "A7", "B1"]) g[n] = this.pin(n);
    g.USB = this.serial.USB;
    g.Serial1 = this.serial.Serial1;
    g.Bluetooth = this.serial.Bluetooth;
    g.LoopbackA = this.serial.LoopbackA;
    g.LoopbackB = this.serial.LoopbackB;
    g.getTime = () => this.nowMs() / 1000;
    g.setTimeout = (fn: unknown, ms?: unknown) => {
      if (typeof fn !== "function") throw new Error("Function or String not supplied!");
      const delay = typeof ms === "number" && ms > 0 ? ms : 0;
      const timer = { id: this.nextTimerId++, at: this.timeMs + delay, seq: this.seq++, fn: fn as () => void };
      this.timers.push(timer);
      return timer.id;
    };
    g.clearTimeout = (id?: unknown) => {
      if (id === undefined) this.timers = [];
      else if (!this.timers.some((t) => t.id === id)) throw new Error("Unknown Timeout");
      else this.timers = this.timers.filter((t) => t.id !== id);
    };
    g.setInterval = () => {
      throw new Error("the shim has no setInterval (the HAL does not use it)");
    };
    g.digitalWrite = (pin: unknown, value: unknown) => {
      if (Array.isArray(pin)) {
        // An array of pins takes the value's bits, the least significant to the last pin.
        let bits = Number(value) | 0;
        for (let i = pin.length - 1; i >= 0; i--, bits >>= 1) {
          const p: unknown = pin[i];
          if (!(p instanceof ShimPin)) throw new Error(`digitalWrite: invalid pin ${String(p)}`);
          this.setPin(p, bits & 1);
        }
        return;
      }
      if (!(pin instanceof ShimPin)) throw new Error(`digitalWrite: invalid pin ${String(pin)}`);
      this.setPin(pin, value ? 1 : 0);
    };
    g.digitalRead = (pin: unknown) => (pin instanceof ShimPin ? pin.value : 0);
    g.analogRead = (pin: unknown) => {
      if (!(pin instanceof ShimPin)) throw new Error(`analogRead: invalid pin ${String(pin)}`);
      return this.analog;
    };
    g.setWatch = (callback: unknown, pin: unknown, options?: Record<string, unknown>) => {
      if (typeof callback !== "function" || !(pin instanceof ShimPin)) throw new Error("setWatch: bad arguments");
      const watch: ShimWatch = {
        id: this.nextWatchId++,
        pin,
        callback: callback as ShimWatch["callback"],
        repeat: options?.repeat === true,
        edge: typeof options?.edge === "string" ? options.edge : "both",
        debounce: typeof options?.debounce === "number" ? options.debounce : 0,
        lastTime: this.nowMs() / 1000,
        reported: pin.value,
        pending: undefined,
      };
      this.watches.push(watch);
      return watch.id;
    };
    g.clearWatch = (id?: unknown) => {
      if (id === undefined) this.watches = [];
      else if (!this.watches.some((w) => w.id === id)) throw new Error("Unknown Watch");
      else this.watches = this.watches.filter((w) => w.id !== id);
    };
    g.E = {
      getTemperature: () => this.temperature,
      getConsole: () => this.consoleDevice,
      setConsole: (device: string) => {
        this.consoleDevice = device;
      },
    };
    const storage = {
      readJSON: (name: string, noExceptions?: boolean) => {
        const text = this.storage.get(name);
        if (text === undefined) return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch (e) {
          if (noExceptions) return undefined;
          throw e;
        }
      },
      read: (name: string) => this.storage.get(name),
      write: (name: string, data: string) => {
        this.storage.set(name, String(data));
        return true;
      },
    };
    g.require = (name: string) => {
      if (name === "Storage") return storage;
      throw new Error(`Module ${name} not found`);
    };
    if (this.board.ble) {
      g.NRF = {
        setAdvertising: (_data: unknown, options?: Record<string, unknown>) => {
          const md = options?.manufacturerData;
          this.advertising.push({
            timeMs: this.timeMs,
            manufacturer: typeof options?.manufacturer === "number" ? options.manufacturer : undefined,
            manufacturerData: md === undefined ? undefined : Array.from(md as ArrayLike<number>, (b) => Number(b) & 0xff),
            interval: typeof options?.interval === "number" ? options.interval : undefined,
          });
        },
        setScan: (callback?: unknown, options?: unknown) => {
          shim.scanCallback = typeof callback === "function" ? (callback as EspruinoShim["scanCallback"]) : undefined;
          shim.scanOptions = options;
        },
      };
    }
    if (this.board.puck) g.Puck = { light: () => this.analog };
    g.process = { env: { BOARD: this.board.env, VERSION: "2v29" }, memory: () => ({ free: 0, usage: 0, total: 0 }) };
    g.console = { log: () => {} };
    for (const name of ABSENT_GLOBALS) g[name] = undefined;
    const math: Record<string, unknown> = {};
    for (const k of Object.getOwnPropertyNames(Math)) if (!ABSENT_MATH.has(k)) math[k] = (Math as unknown as Record<string, unknown>)[k];
    g.Math = math;
    Object.assign(g, this.extraGlobals);
    g.global = g;
    g.globalThis = g;
    return g;
  }

  /** Runs `image` (as the board runs `.bootcde`): it starts its mote as it loads. */
  load(image: string, name = "espruino-image.js"): void {
    const g = this.globals();
    const names = Object.keys(g).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
    const run = new Function(...names, `${image}\n//# sourceURL=${name}`) as (...args: unknown[]) => void;
    run(...names.map((n) => g[n]));
  }

  /** Runs every timer due at or before `ms` (virtual milliseconds since start), in order. */
  runUntil(ms: number): void {
    for (;;) {
      let next: ShimTimer | undefined;
      for (const t of this.timers) if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
      if (!next || next.at > ms) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.timeMs = next.at;
      if (next.id === 0) next.fn(); // the shim's own (a debounce check): it reports through an event itself
      else this.event(next.fn);
    }
    if (ms > this.timeMs) this.timeMs = ms;
  }

  /** Advances virtual time by `ms`. */
  runMs(ms: number): void {
    this.runUntil(this.timeMs + ms);
  }

  /** The image's timeouts pending. */
  get pendingTimers(): number {
    return this.timers.filter((t) => t.id !== 0).length;
  }

  /**
   * Sets a pin as the outside world would (a button); fires the watches on
   * it. A debounced watch reports a change once the pin has kept its new
   * state for `debounce` ms (each change restarts the wait), as Espruino does.
   */
  setInput(name: string, value: number): void {
    const pin = this.pin(name);
    if (pin.value === value) return;
    pin.value = value;
    for (const w of [...this.watches]) {
      if (w.pin !== pin) continue;
      if (w.debounce <= 0) {
        this.report(w, value);
        continue;
      }
      if (w.pending) this.timers = this.timers.filter((t) => t !== w.pending);
      const check: ShimTimer = {
        id: 0,
        at: this.timeMs + w.debounce,
        seq: this.seq++,
        fn: () => {
          w.pending = undefined;
          if (pin.value !== w.reported) this.report(w, pin.value);
        },
      };
      w.pending = check;
      this.timers.push(check);
    }
  }

  private report(w: ShimWatch, value: number): void {
    w.reported = value;
    if (w.edge === "rising" && !value) return;
    if (w.edge === "falling" && value) return;
    const t = this.nowMs() / 1000;
    const lastTime = w.lastTime;
    w.lastTime = t;
    if (!w.repeat) this.watches = this.watches.filter((x) => x !== w);
    this.event(() => w.callback({ state: value !== 0, time: t, lastTime }));
  }

  /** Presses (true) or releases the board's button. */
  pressButton(down: boolean): void {
    if (!this.board.button) throw new Error(`board ${this.board.name} has no button`);
    this.setInput(this.board.button, down ? 1 : 0);
  }

  /** Bytes arriving on a serial device (one `data` event). */
  receiveSerial(device: string, bytes: readonly number[]): void {
    const s = this.serial[device];
    if (!s) throw new Error(`no serial device ${device}`);
    const data = String.fromCharCode(...bytes);
    for (const h of s.handlers) this.event(() => h(data));
  }

  /** A BLE advertisement heard by `NRF.setScan` (if scanning and the filter matches), from the board at address `from`. */
  deliverAdvertisement(manufacturer: number, manufacturerData: readonly number[], rssi = -60, from = "aa:bb:cc:dd:ee:ff random"): boolean {
    if (!this.scanCallback) return false;
    const filters = (this.scanOptions as { filters?: { manufacturerData?: Record<string, unknown> }[] } | undefined)?.filters;
    if (filters && !filters.some((f) => f.manufacturerData && String(manufacturer) in f.manufacturerData)) return false;
    const cb = this.scanCallback;
    const device = { id: from, rssi, manufacturer, manufacturerData: new Uint8Array(manufacturerData).buffer };
    this.event(() => cb(device));
    return true;
  }

  private setPin(pin: ShimPin, value: number): void {
    pin.value = value;
    const index = this.board.leds.indexOf(pin.name);
    if (index < 0) return;
    const bit = 1 << index;
    const on = (value !== 0) !== (((this.board.ledsActiveLow ?? 0) & bit) !== 0);
    if (((this.leds & bit) !== 0) === on) return;
    this.leds ^= bit;
    this.ledTrace.push({ timeMs: this.timeMs, led: index, on });
  }

  /** Runs one event handler as Espruino does: an error is reported and the next event runs. */
  private event(fn: () => void): void {
    this.eventsRun++;
    try {
      fn();
    } catch (e) {
      this.uncaught.push(e);
    }
  }
}

function fail(message: string): never {
  throw new Error(message);
}

/**
 * The air between shimmed nRF52 boards: each board's advertising is heard
 * by every other board's scan, once per advertising interval (100 ms unless
 * the advertisement says otherwise, as Espruino's default), from the moment
 * `NRF.setAdvertising` was called until it is called again. The boards run
 * in lockstep on their own virtual clocks, `stepMs` at a time; a board hears
 * an advertisement at the first step at or after the time it is sent. Each
 * board has its own address (`device.id`). `hears` limits who hears whom
 * (a line, a grid), so packets must be forwarded to get across.
 */
/** Board i's BLE address on the air. */
const address = (i: number) => `c0:ff:ee:00:00:${i.toString(16).padStart(2, "0")} random`;

export class ShimAir {
  private timeMs = 0;
  /** Per board: the advertisement on the air (an index into its `advertising`) and when it is next heard. */
  private readonly onAir: { index: number; nextMs: number }[];
  /** Advertisements heard, per receiving board. */
  readonly heard: number[];

  constructor(
    readonly boards: readonly EspruinoShim[],
    private readonly options: {
      readonly stepMs?: number;
      readonly rssi?: number;
      /** Whether board `to` hears board `from` (default: every board hears every other), for topologies where not everyone is in range. */
      readonly hears?: (from: number, to: number) => boolean;
    } = {},
  ) {
    this.onAir = boards.map(() => ({ index: -1, nextMs: 0 }));
    this.heard = boards.map(() => 0);
  }

  runUntil(ms: number): void {
    const step = this.options.stepMs ?? 5;
    while (this.timeMs < ms) {
      this.timeMs = Math.min(ms, this.timeMs + step);
      for (const b of this.boards) b.runUntil(this.timeMs);
      this.boards.forEach((sender, i) => {
        const air = this.onAir[i]!;
        const last = sender.advertising.length - 1;
        if (last < 0) return;
        const adv = sender.advertising[last]!;
        if (air.index !== last) {
          air.index = last;
          air.nextMs = adv.timeMs;
        }
        if (adv.manufacturer === undefined || adv.manufacturerData === undefined) return;
        for (; air.nextMs <= this.timeMs; air.nextMs += adv.interval ?? 100) {
          this.boards.forEach((receiver, j) => {
            if (j !== i && (this.options.hears?.(i, j) ?? true) && receiver.deliverAdvertisement(adv.manufacturer!, adv.manufacturerData!, this.options.rssi, address(i))) this.heard[j]!++;
          });
        }
      });
    }
  }

  runMs(ms: number): void {
    this.runUntil(this.timeMs + ms);
  }
}
