import { module } from "../../components/mote.ts";
import { Debug } from "../../components/interfaces/Debug.ts";

/** Debug lines go nowhere on a board: the console is the mote's serial port. */
export const EspruinoDebugP = module("EspruinoDebugP", { provides: { Debug } }, () => ({
  Debug: { dbg() {} },
}));
