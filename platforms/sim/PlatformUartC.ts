import { configuration } from "../../components/mote.ts";
import { UartStream } from "../../components/interfaces/UartStream.ts";
import { TinySchedulerC } from "../../components/kernel/TinySchedulerC.ts";
import { SimUartP } from "./SimUartP.ts";

/** The platform's serial port as a byte stream. */
export const PlatformUartC = configuration("PlatformUartC", { provides: { UartStream } }, (c) => {
  const uart = c.component(SimUartP);
  c.equate(c.provides.UartStream, uart.UartStream);
  c.wire(uart.Scheduler, c.component(TinySchedulerC).Scheduler);
});
