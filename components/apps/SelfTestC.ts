import { module } from "../mote.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Check } from "../interfaces/Check.ts";
import { Verdict } from "../interfaces/Verdict.ts";

/**
 * At boot runs two suites of checks, each one call that fans out to every
 * check wired to it, and signals the combined result of each as a Verdict
 * (which fans out to every handler wired to it).
 */
export const SelfTestC = module(
  "SelfTestC",
  { provides: { Verdict }, uses: { Boot, Quick: Check, Full: Check } },
  (c) => ({
    Boot: {
      booted() {
        c.Verdict.decided("quick", c.Quick.run());
        c.Verdict.decided("full", c.Full.run());
      },
    },
  }),
);
