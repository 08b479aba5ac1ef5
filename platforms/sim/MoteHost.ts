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
  /** Registers the alarm's interrupt handler, once, as the image starts. */
  onAlarm(fired: () => void): void;
  /**
   * Arms the one alarm to fire when the counter reaches t0 + dt (32-bit
   * arithmetic; if dt has already elapsed since t0 it fires at once).
   * Re-arming replaces the previous alarm. The shape matches the Alarm
   * interface's `startAt`, so the HAL can hand it to the timer layer as is.
   */
  startAlarmAt(t0: number, dt: number): void;
  stopAlarm(): void;
  alarmRunning(): boolean;
  /** When the alarm fires (or last fired): t0 + dt, 32 bits. */
  alarmTime(): number;
  /** Drives LED `index` (0..2). */
  setLed(index: number, on: boolean): void;
  /** The task queue is empty: the MCU may sleep until the next event. */
  sleep(): void;
  /** A line on a named debug channel (TinyOS `dbg`). */
  debug(channel: string, message: string): void;

  // --- Radio: the link below Active Messages. The MAC (carrier sense,
  // backoff, link-layer acknowledgements) runs on the host's side.

  /** Powers the radio on (it can receive once on) or off. */
  radioPower(on: boolean): void;
  /**
   * Sends `frame[0..length)`: the 7-byte AM header (dest, src, length,
   * group, type) and the payload. The host copies the bytes before
   * returning; the send-done handler is called when it is over.
   */
  radioSend(frame: Uint8Array, length: number, wantAck: boolean): void;
  /** Cancels the send in progress if it is not on the air yet (its send-done then says ECANCEL); false if too late. */
  radioCancel(): boolean;
  /** Registers the send-done interrupt: a TinyOS error code and whether the destination acknowledged. */
  onRadioSendDone(handler: (error: number, acked: boolean) => void): void;
  /** Registers the receive interrupt; the handler must copy the frame before it returns. */
  onRadioReceive(handler: (frame: Uint8Array, length: number, rssi: number) => void): void;
  /**
   * The radio's settings, called as the image starts by an application
   * built with TinyOS's CC2420_NO_ADDRESS_RECOGNITION (addressRecognition
   * false: unicast frames for other motes are received too) or
   * CC2420_NO_ACKNOWLEDGEMENTS (autoAck false: never acknowledge). Kept
   * until the mote loses power. Optional: a host without a radio model
   * (the node platform, bench hosts) leaves it out and images skip the call.
   */
  radioConfigure?(addressRecognition: boolean, autoAck: boolean): void;

  // --- Serial port (UART) as a byte stream.

  /** Sends `bytes[0..length)`; the host copies them; send-done follows once they are on the wire. */
  uartSend(bytes: Uint8Array, length: number): void;
  onUartSendDone(handler: () => void): void;
  onUartReceive(handler: (byte: number) => void): void;

  // --- Sensors.

  /** The current raw reading of sensor `channel` (0 light, 1 temperature, others per platform). */
  readSensor(channel: number): number;
}

/** The MoteHost functions, which the image calls without `this`. */
export const MOTE_HOST_FUNCTIONS = [
  "now",
  "onAlarm",
  "startAlarmAt",
  "stopAlarm",
  "alarmRunning",
  "alarmTime",
  "setLed",
  "sleep",
  "debug",
  "radioPower",
  "radioSend",
  "radioCancel",
  "onRadioSendDone",
  "onRadioReceive",
  "uartSend",
  "onUartSendDone",
  "onUartReceive",
  "readSensor",
] as const;

/** Every property name of the contract: the build must not shorten these in images. */
export const MOTE_HOST_PROPERTIES: readonly string[] = ["nodeId", ...MOTE_HOST_FUNCTIONS, "radioConfigure"];

/** Binds a class-based host's MoteHost methods to it, so the image can call them bare. */
export function bindHostFunctions(host: MoteHost): void {
  const record = host as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of MOTE_HOST_FUNCTIONS) record[name] = record[name]!.bind(host);
}
