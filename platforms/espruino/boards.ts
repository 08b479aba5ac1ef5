/**
 * Espruino boards: what the build checks an image against and what the HAL,
 * the flasher and the base station need to know. JsVar counts and console
 * speeds are from /work/shared/espruino-dialect.md (measured on 2v29 and
 * Espruino's board files); pins from Espruino's board files (boards/*.py).
 */
import type { BoardDescription } from "../PlatformDescription.ts";

/** The board facts the Espruino platform uses (a board's `details`). */
export interface EspruinoBoardDetails {
  /** `process.env.BOARD` on this board. */
  readonly env: string;
  readonly chip: string;
  /** JsVars the firmware allocates (all of its variable memory). */
  readonly jsVars: number;
  /** JsVars kept back from the image: the interpreter's own objects at boot and the temporaries events create. */
  readonly reservedJsVars: number;
  /** Bytes per JsVar on this board (by how many JsVars there are). */
  readonly jsVarBytes: number;
  /** Characters of a string one JsVar holds (string data blocks). */
  readonly charsPerJsVar: number;
  /** The LEDs the firmware names LED1, LED2, LED3 (pins), in order. */
  readonly leds: readonly string[];
  /** The button the firmware names BTN1 (pin), if any. */
  readonly button?: string;
  /** The console at boot, which the UART HAL takes over. */
  readonly console: "USB" | "Serial1" | "Bluetooth";
  /** Serial1's pins when it is the console. */
  readonly consolePins?: { readonly tx: string; readonly rx: string };
  /** Console speed (USB and Bluetooth have none). */
  readonly consoleBaud?: number;
  /** Whether the board has the nRF52 `NRF` object (BLE advertising and scanning: PlatformRadioC). */
  readonly ble: boolean;
  /** Sensors beyond `E.getTemperature()` and `analogRead`. */
  readonly sensors: readonly string[];
}

/** Of the JsVars, the share left to the image at boot; the rest is the interpreter's and the events'. */
const IMAGE_SHARE = 0.8;

function board(name: string, summary: string, details: EspruinoBoardDetails, defines?: Readonly<Record<string, number>>): BoardDescription {
  return {
    name,
    summary,
    memoryBudget: details.jsVars - details.reservedJsVars,
    ...(defines ? { defines } : {}),
    details: details as unknown as Readonly<Record<string, unknown>>,
  };
}

/**
 * The nRF52832 boards' build-time sizes: CTP's forwarding pool at 4 message
 * buffers instead of 12 (each about 13 JsVars with its views), as a small
 * TinyOS platform lowers FORWARD_COUNT, so MultihopOscilloscope fits.
 */
const NRF52_DEFINES = { FORWARD_COUNT: 4 };

const reserve = (jsVars: number) => Math.ceil(jsVars * (1 - IMAGE_SHARE));

export const ESPRUINO_BOARDS: Readonly<Record<string, BoardDescription>> = {
  pico: board("pico", "Espruino Pico (STM32F401, USB console, 2 LEDs, button)", {
    env: "PICO_R1_3",
    chip: "STM32F401CDU6",
    jsVars: 5100,
    reservedJsVars: reserve(5100),
    jsVarBytes: 13,
    charsPerJsVar: 9,
    leds: ["A13 (red)", "A14 (green)"],
    button: "C13",
    console: "USB",
    ble: false,
    sensors: ["E.getTemperature()", "analogRead(A0..A7, B0, B1)"],
  }),
  puckjs: board("puckjs", "Puck.js (nRF52832, Bluetooth console, 3 LEDs, button, light sensor, BLE radio)", {
    env: "PUCKJS",
    chip: "NRF52832",
    jsVars: 2630,
    reservedJsVars: reserve(2630),
    jsVarBytes: 13,
    charsPerJsVar: 9,
    leds: ["D5 (red)", "D4 (green)", "D3 (blue)"],
    button: "D0",
    console: "Bluetooth",
    consolePins: { tx: "D28", rx: "D29" },
    consoleBaud: 9600,
    ble: true,
    sensors: ["E.getTemperature()", "Puck.light()", "analogRead(D2, D28..D31)"],
  }, NRF52_DEFINES),
  mdbt42q: board("mdbt42q", "MDBT42Q module/breakout (nRF52832, Serial1 console, 1 LED, button, BLE radio)", {
    env: "MDBT42Q",
    chip: "NRF52832",
    jsVars: 2950,
    reservedJsVars: reserve(2950),
    jsVarBytes: 13,
    charsPerJsVar: 9,
    leds: ["D1"],
    button: "D0",
    console: "Serial1",
    consolePins: { tx: "D6", rx: "D8" },
    consoleBaud: 9600,
    ble: true,
    sensors: ["E.getTemperature()", "analogRead(D2..D5, D28..D31)"],
  }, NRF52_DEFINES),
  // Espruino's boards/ESP32.py defines no devices (no LED1, no BTN1). The LED is the blue one on
  // GPIO2 of the common ESP32 DevKit boards, as the Moddable esp32 board has it; EspruinoLedsP
  // drives D2 where the firmware names no LED1.
  esp32: board("esp32", "ESP32 DevKit (Serial1 console at 115200, blue LED on GPIO2)", {
    env: "ESP32",
    chip: "ESP32",
    jsVars: 16383,
    reservedJsVars: reserve(16383),
    jsVarBytes: 16,
    charsPerJsVar: 12,
    leds: ["D2 (blue, on DevKit boards; the firmware names no LED1)"],
    console: "Serial1",
    consolePins: { tx: "D1", rx: "D3" },
    consoleBaud: 115200,
    ble: false,
    sensors: ["E.getTemperature()", "analogRead(D32..D39)"],
  }),
  // boards/ESP8266_4MB.py defines no devices either; ESP-12 modules have a blue LED on GPIO2, lit when D2 is low.
  esp8266: board("esp8266", "ESP8266 with 4 MB flash (Serial1 console at 115200, LED on GPIO2; few JsVars)", {
    env: "ESP8266_4MB",
    chip: "ESP8266",
    jsVars: 1600,
    reservedJsVars: reserve(1600),
    jsVarBytes: 16,
    charsPerJsVar: 12,
    leds: ["D2 (the ESP-12 module's blue LED, lit when low)"],
    console: "Serial1",
    consolePins: { tx: "D1", rx: "D3" },
    consoleBaud: 115200,
    ble: false,
    sensors: ["analogRead(A0)"],
  }, { LEDS_ACTIVE_LOW: 1 }),
};

export const DEFAULT_ESPRUINO_BOARD = "puckjs";

/** A board's Espruino facts (every board of ESPRUINO_BOARDS has them). */
export function espruinoDetails(board: BoardDescription): EspruinoBoardDetails | undefined {
  const d = board.details as Partial<EspruinoBoardDetails> | undefined;
  return d && typeof d.jsVars === "number" && typeof d.charsPerJsVar === "number" ? (d as EspruinoBoardDetails) : undefined;
}
