import { genericModule } from "../../components/mote.ts";
import { EBUSY, EOFF, SUCCESS } from "../../components/TinyError.ts";
import { Read } from "../../components/interfaces/Read.ts";
import type { Analog419, Device419 } from "./ModdableApi.ts";

declare const device: Device419;

/**
 * One sensor channel, split-phase: `read` posts a task that samples and
 * signals `readDone`; EBUSY while one is pending. On the ESP32 boards,
 * ECMA-419 offers no light or temperature sensor, so channels 0 and 1 read
 * EOFF; channel n ≥ 2 is the ECMA-419 Analog input on GPIO n, scaled from
 * its resolution to 16 bits (0..65535).
 */
export const ModdableSensorP = genericModule(
  "ModdableSensorP",
  (_channel: number) => ({ provides: { Read: Read<number>() }, tasks: ["sample"] }),
  (c, _host, channel) => {
    const input: Analog419 | undefined = channel >= 2 ? new device.io.Analog({ pin: channel }) : undefined;
    const full = input ? 2 ** input.resolution - 1 : 1;
    let pending = false;
    return {
      Read: {
        read() {
          if (!input) return EOFF;
          if (pending) return EBUSY;
          pending = true;
          c.post.sample();
          return SUCCESS;
        },
      },
      tasks: {
        sample() {
          pending = false;
          c.Read.readDone(SUCCESS, Math.round(((input as Analog419).read() * 65535) / full));
        },
      },
    };
  },
);
