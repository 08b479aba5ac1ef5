/**
 * The hardware a `sim` or `node` image talks to. The image is a factory
 * called with one of these per mote: the simulator gives each simulated mote
 * its own, the `node` platform gives the one real-time mote its own. It is
 * the line between image code (above) and host code (below).
 *
 * Its functions must not depend on `this`: HAL modules keep and call them
 * directly, so a call from the image reaches the host in one step.
 */
export interface MoteHost {
  /** TOS_NODE_ID. */
  readonly nodeId: number;
  /** The millisecond counter, 32 bits, wrapping. */
  now(): number;
  /**
   * Arms the one alarm to call `fired` when the counter reaches `at`
   * (32 bits; a time up to 2^31 ms in the past fires at once). Re-arming
   * replaces the previous alarm.
   */
  setAlarm(at: number, fired: () => void): void;
  cancelAlarm(): void;
  /** Drives LED `index` (0..2). */
  setLed(index: number, on: boolean): void;
  /** The task queue is empty: the MCU may sleep until the next event. */
  sleep(): void;
  /** A line on a named debug channel (TinyOS `dbg`). */
  debug(channel: string, message: string): void;
}
