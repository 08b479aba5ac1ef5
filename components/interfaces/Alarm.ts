import { command, defineInterface, event } from "../mote.ts";

/**
 * The platform's one hardware alarm, in 32-bit milliseconds (TEP 102's
 * Alarm<TMilli, uint32_t>). `startAt(t0, dt)` fires at t0 + dt, or at once
 * if that time has passed.
 */
export const Alarm = defineInterface("Alarm", {
  commands: {
    start: command<(dt: number) => void>(),
    startAt: command<(t0: number, dt: number) => void>(),
    stop: command<() => void>(),
    isRunning: command<() => boolean>("uncombined"),
    getNow: command<() => number>("uncombined"),
    getAlarm: command<() => number>("uncombined"),
  },
  events: { fired: event<() => void>() },
});
