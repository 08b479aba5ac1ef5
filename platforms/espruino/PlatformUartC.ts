import { configuration } from "../../components/mote.ts";
import { UartStream } from "../../components/interfaces/UartStream.ts";
import { TinySchedulerC } from "../../components/kernel/TinySchedulerC.ts";
import { EspruinoUartP } from "./EspruinoUartP.ts";

/** The serial port as a byte stream (the board's console device, taken over as the image starts). */
export const PlatformUartC = configuration("PlatformUartC", { provides: { UartStream } }, (c) => {
  const uart = c.component(EspruinoUartP);
  c.equate(c.provides.UartStream, uart.UartStream);
  c.wire(uart.Scheduler, c.component(TinySchedulerC).Scheduler);
});
