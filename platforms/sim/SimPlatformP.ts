import { module } from "../../components/mote.ts";
import { SUCCESS } from "../../components/TinyError.ts";
import { Init } from "../../components/interfaces/Init.ts";

/** Nothing to set up on a host-driven mote; kept so boot follows TEP 107. */
export const SimPlatformP = module("SimPlatformP", { provides: { Init } }, () => ({
  Init: { init: () => SUCCESS },
}));
