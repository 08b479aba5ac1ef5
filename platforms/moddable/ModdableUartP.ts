import { module } from "../../components/mote.ts";
import { EBUSY, SUCCESS } from "../../components/TinyError.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import { UartStream } from "../../components/interfaces/UartStream.ts";
import type { Device419, MoteConfig, Serial419 } from "./ModdableApi.ts";

declare const device: Device419;
declare const moteConfig: MoteConfig;

/**
 * The serial port as an ECMA-419 Serial in the "number" format (one byte
 * per read and write, so nothing is allocated per byte), on the port and
 * pins of `moteConfig.uart`. Sending writes as many bytes as the output
 * buffer has room for and the rest as `onWritable` reports room; `sendDone`
 * follows from a task once the last byte is written. Each `onReadable` and
 * `onWritable` is an interrupt: the task loop runs after it.
 */
export const ModdableUartP = module(
  "ModdableUartP",
  { provides: { UartStream }, uses: { Scheduler }, tasks: ["sendDone"] },
  (c) => {
    let sending: Uint8Array | undefined;
    let sendLength = 0;
    let sent = 0;
    let room = 0;
    let port: Serial419 | undefined; // set by the first callback or once constructed, whichever comes first
    const pump = () => {
      const buffer = sending;
      if (!buffer || !port || sent >= sendLength) return;
      while (sent < sendLength && room > 0) {
        port.write(buffer[sent++]!);
        room--;
      }
      if (sent >= sendLength) c.post.sendDone();
    };
    const cfg = moteConfig.uart;
    port = new device.io.Serial({
      port: cfg.port,
      transmit: cfg.transmit,
      receive: cfg.receive,
      baud: cfg.baud,
      format: "number",
      onReadable(count) {
        port = this;
        while (count-- > 0) c.UartStream.receivedByte(this.read());
        c.Scheduler.taskLoop();
      },
      onWritable(count) {
        port = this;
        room = count;
        pump();
        c.Scheduler.taskLoop();
      },
    });
    return {
      UartStream: {
        send(buffer, length) {
          if (sending) return EBUSY;
          sending = buffer;
          sendLength = length;
          sent = 0;
          pump();
          return SUCCESS;
        },
      },
      tasks: {
        sendDone() {
          const buffer = sending as Uint8Array;
          sending = undefined;
          c.UartStream.sendDone(buffer, sendLength, SUCCESS);
        },
      },
    };
  },
);
