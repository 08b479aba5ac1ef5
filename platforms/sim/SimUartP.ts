import { module } from "../../components/mote.ts";
import { EBUSY, SUCCESS } from "../../components/TinyError.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import { UartStream } from "../../components/interfaces/UartStream.ts";
import type { MoteHost } from "./MoteHost.ts";

/**
 * The serial port on the host's UART functions: one send outstanding (the
 * host copies the bytes and says when they are on the wire), and each byte
 * received is an interrupt that ends with the task loop.
 */
export const SimUartP = module("SimUartP", { provides: { UartStream }, uses: { Scheduler } }, (c, host) => {
  const hal = host as MoteHost;
  const uartSend = hal.uartSend;
  let buffer: Uint8Array | null = null;
  let length = 0;

  hal.onUartSendDone(() => {
    const sent = buffer;
    buffer = null;
    if (sent !== null) c.UartStream.sendDone(sent, length, SUCCESS);
    c.Scheduler.taskLoop();
  });

  hal.onUartReceive((byte) => {
    c.UartStream.receivedByte(byte);
    c.Scheduler.taskLoop();
  });

  return {
    UartStream: {
      send(bytes, n) {
        if (buffer !== null) return EBUSY;
        buffer = bytes;
        length = n;
        uartSend(bytes, n);
        return SUCCESS;
      },
    },
  };
});
