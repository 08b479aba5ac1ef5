import { genericModule } from "../mote.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Debug } from "../interfaces/Debug.ts";
import { Leds } from "../interfaces/Leds.ts";
import { Timer } from "../interfaces/Timer.ts";

/**
 * Toggles LED `led` every `periodMs` from boot, and reports each toggle on
 * the "toggle" channel as `led<led> <n>`. A generic module: every
 * `c.new(PeriodicToggleP, ...)` is a separate instance with its own `toggles`
 * count and its own arguments, compiled in as constants.
 */
export const PeriodicToggleP = genericModule(
  "PeriodicToggleP",
  (_periodMs: number, _led: number) => ({ uses: { Boot, Timer, Leds, Debug } }),
  (c, _host, periodMs, led) => {
    let toggles = 0;
    return {
      Boot: { booted: () => c.Timer.startPeriodic(periodMs) },
      Timer: {
        fired() {
          c.Leds.set(c.Leds.get() ^ (1 << led));
          toggles++;
          c.Debug.dbg("toggle", `led${led} ${toggles}`);
        },
      },
    };
  },
);
