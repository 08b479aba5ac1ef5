import { module } from "../../components/mote.ts";
import { Debug } from "../../components/interfaces/Debug.ts";
import type { MoteHost } from "./MoteHost.ts";

/** Debug lines go to the host, which records them per channel. */
export const SimDebugP = module("SimDebugP", { provides: { Debug } }, (_c, host) => {
  const hal = host as MoteHost;
  return { Debug: { dbg: (channel, message) => hal.debug(channel, message) } };
});
