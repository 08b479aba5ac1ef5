import { configuration } from "../components/mote.ts";
import { BlinkC } from "../components/apps/BlinkC.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";
import { TimerMilliC } from "../components/timer/TimerMilliC.ts";

/** Blink: the hello world of motes. */
export const BlinkAppC = configuration("BlinkAppC", {}, (c) => {
  const app = c.component(BlinkC);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.Timer0, c.new(TimerMilliC).Timer);
  c.wire(app.Timer1, c.new(TimerMilliC).Timer);
  c.wire(app.Timer2, c.new(TimerMilliC).Timer);
  c.wire(app.Leds, c.component(LedsC).Leds);
});
