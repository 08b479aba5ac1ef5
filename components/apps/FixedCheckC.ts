import { genericModule } from "../mote.ts";
import type { ErrorT } from "../TinyError.ts";
import { Check } from "../interfaces/Check.ts";
import { Debug } from "../interfaces/Debug.ts";

/**
 * A check with a fixed outcome, standing in for a real one:
 * `c.new(FixedCheckC, "radio", SUCCESS)`. Reports `check <name> <result>` on
 * the "selftest" channel each time it runs.
 */
export const FixedCheckC = genericModule(
  "FixedCheckC",
  (_name: string, _result: ErrorT) => ({ provides: { Check }, uses: { Debug } }),
  (c, _host, name, result) => ({
    Check: {
      run() {
        c.Debug.dbg("selftest", `check ${name} ${result}`);
        return result;
      },
    },
  }),
);
