import { command, defineInterface, event } from "../mote.ts";

/**
 * A millisecond timer (TEP 102). Times are 32-bit and wrap around; periodic
 * timers advance t0 by dt each period, so they never drift.
 */
export const Timer = defineInterface("Timer", {
  commands: {
    startPeriodic: command<(dt: number) => void>(),
    startOneShot: command<(dt: number) => void>(),
    stop: command<() => void>(),
    isRunning: command<() => boolean>("uncombined"),
    isOneShot: command<() => boolean>("uncombined"),
    startPeriodicAt: command<(t0: number, dt: number) => void>(),
    startOneShotAt: command<(t0: number, dt: number) => void>(),
    getNow: command<() => number>("uncombined"),
    gett0: command<() => number>("uncombined"),
    getdt: command<() => number>("uncombined"),
  },
  events: { fired: event<() => void>() },
});
