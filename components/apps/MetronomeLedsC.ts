import { module } from "../mote.ts";
import { Beat } from "../interfaces/Beat.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Debug } from "../interfaces/Debug.ts";
import { Leds } from "../interfaces/Leds.ts";

/**
 * Three metronome clients: Fast beats every tick and toggles LED 0, Medium
 * every 2nd tick (LED 1), Slow every 4th (LED 2) and stops after its third
 * beat. Each beat is reported on the "metronome" channel as `<client> <n>`.
 */
export const MetronomeLedsC = module(
  "MetronomeLedsC",
  { uses: { Boot, Debug, Leds, Fast: Beat, Medium: Beat, Slow: Beat } },
  (c) => ({
    Boot: {
      booted() {
        c.Fast.start(1);
        c.Medium.start(2);
        c.Slow.start(4);
      },
    },
    Fast: {
      beat(n) {
        c.Debug.dbg("metronome", `fast ${n}`);
        c.Leds.led0Toggle();
      },
    },
    Medium: {
      beat(n) {
        c.Debug.dbg("metronome", `medium ${n}`);
        c.Leds.led1Toggle();
      },
    },
    Slow: {
      beat(n) {
        c.Debug.dbg("metronome", `slow ${n}`);
        c.Leds.led2Toggle();
        if (n === 3) c.Slow.stop();
      },
    },
  }),
);
