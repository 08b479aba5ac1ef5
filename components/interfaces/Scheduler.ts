import { command, defineInterface } from "../mote.ts";

/** The task scheduler's control side, used by the boot sequence and the HAL. */
export const Scheduler = defineInterface("Scheduler", {
  commands: {
    init: command<() => void>(),
    /** Runs one queued task; false when the queue was empty. */
    runNextTask: command<() => boolean>("uncombined"),
    /**
     * Runs queued tasks until the queue is empty, then lets the MCU sleep.
     * Every HAL interrupt handler calls it on the way out.
     */
    taskLoop: command<() => void>(),
  },
});
