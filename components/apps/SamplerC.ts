import { module } from "../mote.ts";
import { EOFF, SUCCESS } from "../TinyError.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Debug } from "../interfaces/Debug.ts";
import { Leds } from "../interfaces/Leds.ts";
import { Read } from "../interfaces/Read.ts";
import { Reading } from "../interfaces/Reading.ts";
import { Timer } from "../interfaces/Timer.ts";

/**
 * Samples its Sensor once a second, toggling LED 1 as a heartbeat, and
 * signals each result as a Reading. Both ends are optional, thanks to
 * defaults: with no Sensor wired, `read()` returns EOFF (no sensor on this
 * board); with nobody handling Reading, the reading is logged as unheard.
 * Each sample is reported on the "sampler" channel.
 */
export const SamplerC = module(
  "SamplerC",
  {
    provides: { Reading },
    uses: { Boot, Timer, Leds, Debug, Sensor: Read<number>() },
    defaults: ["Sensor", "Reading"],
  },
  (c) => ({
    Boot: { booted: () => c.Timer.startPeriodic(1000) },
    Timer: {
      fired() {
        c.Leds.led1Toggle();
        const error = c.Sensor.read();
        c.Debug.dbg("sampler", `read ${error}`);
        if (error !== SUCCESS) c.Reading.ready(error, 0);
      },
    },
    Sensor: { readDone: (error, value) => c.Reading.ready(error, value) },
    defaults: {
      Sensor: { read: () => EOFF },
      Reading: { ready: (error, value) => c.Debug.dbg("sampler", `unheard ${error} ${value}`) },
    },
  }),
);
