import { module } from "../../components/mote.ts";
import { SUCCESS } from "../../components/TinyError.ts";
import { Init } from "../../components/interfaces/Init.ts";

/** The host has set the board up before the image runs; kept so boot follows TEP 107. */
export const ModdablePlatformP = module("ModdablePlatformP", { provides: { Init } }, () => ({
  Init: { init: () => SUCCESS },
}));
