import { configuration } from "../../components/mote.ts";
import { UartStream } from "../../components/interfaces/UartStream.ts";
import { TinySchedulerC } from "../../components/kernel/TinySchedulerC.ts";
import { ModdableUartP } from "./ModdableUartP.ts";

/** The serial port (ECMA-419 Serial on `moteConfig.uart`) as a byte stream. */
export const PlatformUartC = configuration("PlatformUartC", { provides: { UartStream } }, (c) => {
  const uart = c.component(ModdableUartP);
  c.equate(c.provides.UartStream, uart.UartStream);
  c.wire(uart.Scheduler, c.component(TinySchedulerC).Scheduler);
});
