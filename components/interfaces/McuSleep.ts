import { command, defineInterface } from "../mote.ts";

/** Puts the MCU in its lowest safe power state until the next interrupt. */
export const McuSleep = defineInterface("McuSleep", {
  commands: { sleep: command<() => void>() },
});
