/** Why a flash failed, with a message a person can act on. */

export type FlashErrorCode =
  | "NO_SUCH_PORT"
  | "PORT_BUSY"
  | "PERMISSION_DENIED"
  | "PORT_ERROR"
  | "PORT_CLOSED"
  | "NOT_ESPRUINO"
  | "CONSOLE_TAKEN"
  | "FIRMWARE_TOO_OLD"
  | "IMAGE_TOO_BIG"
  | "TRANSFER_FAILED"
  | "VERIFY_FAILED"
  | "EMPTY_IMAGE";

export class FlashError extends Error {
  readonly code: FlashErrorCode;
  constructor(code: FlashErrorCode, message: string) {
    super(message);
    this.name = "FlashError";
    this.code = code;
  }
}

/**
 * Turns what `serialport` reports when a port does not open into a
 * FlashError. Its Linux binding reports errno text ("No such file or
 * directory", "Permission denied", "Cannot lock port"), not codes.
 */
export function portOpenError(path: string, error: Error): FlashError {
  const text = error.message;
  if (/No such file or directory|ENOENT/i.test(text)) {
    return new FlashError(
      "NO_SUCH_PORT",
      `no such port ${path}: nothing is connected there (is the board plugged in? Espruino boards appear as /dev/ttyACM* or /dev/ttyUSB* on Linux)`,
    );
  }
  if (/Permission denied|EACCES|EPERM/i.test(text)) {
    return new FlashError(
      "PERMISSION_DENIED",
      `permission denied opening ${path}: your user may not use serial ports (on Linux add yourself to the dialout group, then log in again)`,
    );
  }
  if (/Cannot lock port|Resource temporarily unavailable|EBUSY|EAGAIN|Device or resource busy/i.test(text)) {
    return new FlashError(
      "PORT_BUSY",
      `port ${path} is busy: another program has it open (close the Espruino IDE, a terminal such as screen or minicom, or another mote command)`,
    );
  }
  return new FlashError("PORT_ERROR", `cannot open ${path}: ${text}`);
}
