import { module } from "../../components/mote.ts";
import { SUCCESS } from "../../components/TinyError.ts";
import { Init } from "../../components/interfaces/Init.ts";
import { McuSleep } from "../../components/interfaces/McuSleep.ts";

/**
 * The platform's own pieces, both nothing to do on Espruino: Init (Espruino
 * has set the board up before the image runs; kept so boot follows TEP 107)
 * and McuSleep (Espruino sleeps by itself once the current event is over).
 * One module for both: every module instance costs image bytes and JsVars.
 */
export const EspruinoPlatformP = module("EspruinoPlatformP", { provides: { Init, McuSleep } }, () => ({
  Init: { init: () => SUCCESS },
  McuSleep: { sleep() {} },
}));
