import { genericConfiguration } from "../mote.ts";
import { DebugC } from "#platform";
import { MainC } from "../kernel/MainC.ts";
import { LedsC } from "../leds/LedsC.ts";
import { TimerMilliC } from "../timer/TimerMilliC.ts";
import { PeriodicToggleP } from "./PeriodicToggleP.ts";

/**
 * A self-contained blinker: `c.new(PeriodicToggleC, 300, 1)` toggles LED 1
 * every 300 ms. A generic configuration: each instance brings its own
 * PeriodicToggleP and its own timer, and wires itself to boot, so an
 * application needs nothing but the `c.new`.
 */
export const PeriodicToggleC = genericConfiguration(
  "PeriodicToggleC",
  (_periodMs: number, _led: number) => ({}),
  (c, periodMs, led) => {
    const toggle = c.new(PeriodicToggleP, periodMs, led);
    c.wire(toggle.Boot, c.component(MainC).Boot);
    c.wire(toggle.Timer, c.new(TimerMilliC).Timer);
    c.wire(toggle.Leds, c.component(LedsC).Leds);
    c.wire(toggle.Debug, c.component(DebugC).Debug);
  },
);
