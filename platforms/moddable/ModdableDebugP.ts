import { module } from "../../components/mote.ts";
import { Debug } from "../../components/interfaces/Debug.ts";

/** Debug lines go nowhere on a board. */
export const ModdableDebugP = module("ModdableDebugP", { provides: { Debug } }, () => ({
  Debug: { dbg() {} },
}));
