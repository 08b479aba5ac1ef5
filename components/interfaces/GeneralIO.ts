import { command, defineInterface } from "../mote.ts";

/** One digital output pin, as the HAL gives it (TEP 117). */
export const GeneralIO = defineInterface("GeneralIO", {
  commands: {
    set: command<() => void>(),
    clr: command<() => void>(),
    toggle: command<() => void>(),
    get: command<() => boolean>("uncombined"),
  },
});
