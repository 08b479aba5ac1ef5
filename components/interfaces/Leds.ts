import { command, defineInterface } from "../mote.ts";

/** The three LEDs, as TinyOS's Leds interface. `get`/`set` use bits 0..2. */
export const Leds = defineInterface("Leds", {
  commands: {
    led0On: command<() => void>(),
    led0Off: command<() => void>(),
    led0Toggle: command<() => void>(),
    led1On: command<() => void>(),
    led1Off: command<() => void>(),
    led1Toggle: command<() => void>(),
    led2On: command<() => void>(),
    led2Off: command<() => void>(),
    led2Toggle: command<() => void>(),
    get: command<() => number>("uncombined"),
    set: command<(value: number) => void>(),
  },
});
