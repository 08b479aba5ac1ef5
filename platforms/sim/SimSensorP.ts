import { genericModule } from "../../components/mote.ts";
import { EBUSY, SUCCESS } from "../../components/TinyError.ts";
import { Read } from "../../components/interfaces/Read.ts";
import type { MoteHost } from "./MoteHost.ts";

/**
 * One sensor channel, split-phase (TEP 114): `read` takes the host's
 * reading in a task and signals `readDone` from it, never from inside
 * `read`; a second `read` while one is pending gets EBUSY.
 */
export const SimSensorP = genericModule(
  "SimSensorP",
  (_channel: number) => ({ provides: { Read: Read<number>() }, tasks: ["sample"] }),
  (c, host, channel) => {
    const readSensor = (host as MoteHost).readSensor;
    let pending = false;
    return {
      Read: {
        read() {
          if (pending) return EBUSY;
          pending = true;
          c.post.sample();
          return SUCCESS;
        },
      },
      tasks: {
        sample() {
          pending = false;
          c.Read.readDone(SUCCESS, readSensor(channel));
        },
      },
    };
  },
);
