import { module } from "../../components/mote.ts";
import { EBUSY, SUCCESS } from "../../components/TinyError.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import { UartStream } from "../../components/interfaces/UartStream.ts";
import type { EspruinoE, EspruinoGlobal, EspruinoSerial } from "./EspruinoApi.ts";

declare const global: EspruinoGlobal;
declare const E: EspruinoE;

/**
 * The serial port: the board's console device at boot (USB on the Pico,
 * Bluetooth or Serial1 on a Puck.js, Serial1 on the MDBT42Q and ESP32),
 * taken over as the image starts. The REPL moves to `LoopbackA` for good
 * (`setConsole(true)`, so a new USB or Bluetooth connection does not take it
 * back): the framed bytes of the serial stack must not be typed into the
 * interpreter. To get the REPL back, reset the board with its button held
 * (Espruino then skips the boot code) or send `load()` through LoopbackB.
 *
 * Sending hands the bytes to Espruino's transmit buffer (`write` returns
 * once they are queued); `sendDone` follows from a task. Received data
 * comes as a string per event: each byte is signalled, then the task loop
 * runs, as after every HAL event.
 */
export const EspruinoUartP = module(
  "EspruinoUartP",
  { provides: { UartStream }, uses: { Scheduler }, tasks: ["sendDone"] },
  (c) => {
    const g = global;
    const name = E.getConsole();
    const port = ((name && g[name]) || g.Serial1) as EspruinoSerial;
    g.LoopbackA?.setConsole(true);
    let sending: Uint8Array | undefined;
    let sendLength = 0;
    port.on("data", (data) => {
      for (let i = 0; i < data.length; i++) c.UartStream.receivedByte(data.charCodeAt(i));
      c.Scheduler.taskLoop();
    });
    return {
      UartStream: {
        send(buffer, length) {
          if (sending) return EBUSY;
          sending = buffer;
          sendLength = length;
          port.write(length < buffer.length ? buffer.subarray(0, length) : buffer);
          c.post.sendDone();
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
