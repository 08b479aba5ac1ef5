import { configuration } from "../components/mote.ts";
import { EBUSY, SUCCESS } from "../components/TinyError.ts";
import { DebugC } from "#platform";
import { FixedCheckC } from "../components/apps/FixedCheckC.ts";
import { SelfTestC } from "../components/apps/SelfTestC.ts";
import { VerdictLedsC } from "../components/apps/VerdictLedsC.ts";
import { VerdictLogC } from "../components/apps/VerdictLogC.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";

/**
 * Fan-out. Commands: Quick runs two checks that pass (SUCCESS); Full runs
 * those two plus one that is busy, and ecombine(SUCCESS, EBUSY) is FAIL.
 * Events: each Verdict reaches both the LED handler and the logger.
 */
export const FanOutAppC = configuration("FanOutAppC", {}, (c) => {
  const test = c.component(SelfTestC);
  const debug = c.component(DebugC);
  c.wire(test.Boot, c.component(MainC).Boot);
  const check = (name: string, result: number) => {
    const p = c.new(FixedCheckC, name, result);
    c.wire(p.Debug, debug.Debug);
    return p.Check;
  };
  const radio = check("radio", SUCCESS);
  const flash = check("flash", SUCCESS);
  // One call to Quick.run() or Full.run() reaches every check wired to it; radio and flash serve both.
  c.wire(test.Quick, radio);
  c.wire(test.Quick, flash);
  c.wire(test.Full, radio);
  c.wire(test.Full, flash);
  c.wire(test.Full, check("sensor", EBUSY));
  // Every Verdict.decided reaches both handlers.
  const leds = c.component(VerdictLedsC);
  const log = c.component(VerdictLogC);
  c.wire(leds.Verdict, test.Verdict);
  c.wire(leds.Leds, c.component(LedsC).Leds);
  c.wire(log.Verdict, test.Verdict);
  c.wire(log.Debug, debug.Debug);
});
