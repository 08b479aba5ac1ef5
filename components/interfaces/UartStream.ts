import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/** The serial port as a byte stream (TinyOS UartStream, simplified to what the serial stack uses). */
export const UartStream = defineInterface("UartStream", {
  commands: {
    /** Sends `length` bytes of `buffer`; EBUSY while a send is outstanding. */
    send: command<(buffer: Uint8Array, length: number) => ErrorT>(ecombine),
  },
  events: {
    sendDone: event<(buffer: Uint8Array, length: number, error: ErrorT) => void>(),
    receivedByte: event<(byte: number) => void>(),
  },
});
