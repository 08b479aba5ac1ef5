import { genericModule } from "../../components/mote.ts";
import { Relay } from "./Relay.ts";

/** One stage of the generated chain: adds one and passes on; the last stage's default ends it. */
export const StageP = genericModule(
  "StageP",
  (_index: number) => ({ provides: { Stage: Relay }, uses: { Next: Relay }, defaults: ["Next"] }),
  (c) => ({
    Stage: { pass: (hops) => c.Next.pass(hops + 1) },
    defaults: { Next: { pass: (hops) => hops } },
  }),
);
