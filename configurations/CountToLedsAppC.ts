import { configuration } from "../components/mote.ts";
import { CountToLedsC } from "../components/apps/CountToLedsC.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";
import { TimerMilliC } from "../components/timer/TimerMilliC.ts";

/** The tutorial's application: a counter on the LEDs. */
export const CountToLedsAppC = configuration("CountToLedsAppC", {}, (c) => {
  const app = c.component(CountToLedsC);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.Timer, c.new(TimerMilliC).Timer);
  c.wire(app.Leds, c.component(LedsC).Leds);
});
