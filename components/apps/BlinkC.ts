import { module } from "../mote.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Leds } from "../interfaces/Leds.ts";
import { Timer } from "../interfaces/Timer.ts";

/** TinyOS's Blink: three timers toggle the three LEDs at 4, 2 and 1 Hz. */
export const BlinkC = module(
  "BlinkC",
  { uses: { Boot, Timer0: Timer, Timer1: Timer, Timer2: Timer, Leds } },
  (c) => ({
    Boot: {
      booted() {
        c.Timer0.startPeriodic(250);
        c.Timer1.startPeriodic(500);
        c.Timer2.startPeriodic(1000);
      },
    },
    Timer0: { fired: () => c.Leds.led0Toggle() },
    Timer1: { fired: () => c.Leds.led1Toggle() },
    Timer2: { fired: () => c.Leds.led2Toggle() },
  }),
);
