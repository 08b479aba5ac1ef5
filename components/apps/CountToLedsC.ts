import { module } from "../mote.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Leds } from "../interfaces/Leds.ts";
import { Timer } from "../interfaces/Timer.ts";

/** Counts up four times a second and shows the count's low three bits on the LEDs. */
export const CountToLedsC = module(
  "CountToLedsC",
  { uses: { Boot, Timer, Leds }, tasks: ["show"] },
  (c) => {
    let count = 0;
    return {
      Boot: { booted: () => c.Timer.startPeriodic(250) },
      Timer: {
        fired() {
          count++;
          c.post.show(); // leave the interrupt quickly; update the LEDs in a task
        },
      },
      tasks: { show: () => c.Leds.set(count & 7) },
    };
  },
);
