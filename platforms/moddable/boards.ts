/**
 * Moddable boards: the mcconfig platform to build for and the pins the
 * generated project gives the image (`moteConfig`). Pins are GPIO numbers;
 * -1 means the board has none.
 */
import type { BoardDescription } from "../PlatformDescription.ts";

export interface ModdableBoardDetails {
  /** `mcconfig -p` argument. */
  readonly mcconfigPlatform: string;
  /** LED 0, 1, 2 pins (-1: none). */
  readonly leds: readonly [number, number, number];
  readonly ledsInverted: boolean;
  readonly button: number;
  readonly buttonInverted: boolean;
  /** The UART the serial stack uses (UART0 is Moddable's console and xsbug link in debug builds). */
  readonly uart: { readonly port: number; readonly transmit: number; readonly receive: number; readonly baud: number };
}

function board(name: string, summary: string, details: ModdableBoardDetails): BoardDescription {
  return { name, summary, details: details as unknown as Readonly<Record<string, unknown>> };
}

const UART2 = { port: 2, transmit: 17, receive: 16, baud: 115200 } as const;

export const MODDABLE_BOARDS: Readonly<Record<string, BoardDescription>> = {
  esp32: board("esp32", "ESP32 DevKit (mcconfig -p esp32): LED on GPIO 2, BOOT button on GPIO 0, serial on UART2 (TX 17, RX 16)", {
    mcconfigPlatform: "esp32",
    leds: [2, -1, -1],
    ledsInverted: false,
    button: 0,
    buttonInverted: true,
    uart: UART2,
  }),
  nodemcu: board("nodemcu", "NodeMCU-32S (mcconfig -p esp32/nodemcu): LED on GPIO 2, BOOT button on GPIO 0, serial on UART2", {
    mcconfigPlatform: "esp32/nodemcu",
    leds: [2, -1, -1],
    ledsInverted: false,
    button: 0,
    buttonInverted: true,
    uart: UART2,
  }),
  esp32_3leds: board("esp32_3leds", "ESP32 DevKit with LEDs added on GPIO 2, 4 and 5 (mcconfig -p esp32)", {
    mcconfigPlatform: "esp32",
    leds: [2, 4, 5],
    ledsInverted: false,
    button: 0,
    buttonInverted: true,
    uart: UART2,
  }),
};

export const DEFAULT_MODDABLE_BOARD = "esp32";

export function moddableDetails(board: BoardDescription | undefined): ModdableBoardDetails {
  const d = board?.details as ModdableBoardDetails | undefined;
  return d && typeof d.mcconfigPlatform === "string" ? d : (MODDABLE_BOARDS[DEFAULT_MODDABLE_BOARD]!.details as unknown as ModdableBoardDetails);
}
