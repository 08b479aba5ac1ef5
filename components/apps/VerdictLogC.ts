import { module } from "../mote.ts";
import { Debug } from "../interfaces/Debug.ts";
import { Verdict } from "../interfaces/Verdict.ts";

/** Logs verdicts on the "selftest" channel as `verdict <suite> <result>`. */
export const VerdictLogC = module("VerdictLogC", { uses: { Verdict, Debug } }, (c) => ({
  Verdict: {
    decided: (suite, result) => c.Debug.dbg("selftest", `verdict ${suite} ${result}`),
  },
}));
