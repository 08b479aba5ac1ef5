import { genericModule } from "../../components/mote.ts";
import { EBUSY, EOFF, SUCCESS } from "../../components/TinyError.ts";
import { Read } from "../../components/interfaces/Read.ts";
import type { EspruinoGlobal, EspruinoPin } from "./EspruinoApi.ts";

declare const global: EspruinoGlobal;
declare const analogRead: (pin: EspruinoPin) => number;

/**
 * One analog input (`analogRead(pin)`, 0..1) as a 16-bit reading
 * (0..65535), by the pin's name (`"D2"`, `"A0"`). A name the board does not
 * have reads EOFF. `readDone` follows from a task.
 */
export const EspruinoAnalogP = genericModule(
  "EspruinoAnalogP",
  (_pin: string) => ({ provides: { Read: Read<number>() }, tasks: ["done"] }),
  (c, _host, pinName) => {
    const pin = global[pinName] as EspruinoPin | undefined;
    let busy = false;
    let value = 0;
    return {
      Read: {
        read() {
          if (!pin) return EOFF;
          if (busy) return EBUSY;
          busy = true;
          value = Math.round(analogRead(pin) * 65535);
          c.post.done();
          return SUCCESS;
        },
      },
      tasks: {
        done() {
          busy = false;
          c.Read.readDone(SUCCESS, value);
        },
      },
    };
  },
);
