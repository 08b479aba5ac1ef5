import { configuration, parameterized } from "../mote.ts";
import { AMReceiverC } from "../am/AMReceiverC.ts";
import { AMSenderC } from "../am/AMSenderC.ts";
import { DisseminationCache } from "../interfaces/DisseminationCache.ts";
import { StdControl } from "../interfaces/StdControl.ts";
import { TrickleTimer } from "../interfaces/TrickleTimer.ts";
import { AM_DISSEMINATION_MESSAGE, AM_DISSEMINATION_PROBE_MESSAGE, UQ_DISSEMINATOR } from "./Dissemination.ts";
import { DisseminationEngineImplP } from "./DisseminationEngineImplP.ts";

/**
 * Drip's engine on the radio (TinyOS DisseminationEngineP): one engine for
 * every `DisseminatorC` in the application, each value a client numbered by
 * `unique(UQ_DISSEMINATOR)` with its own Trickle timer.
 */
export const DisseminationEngineP = configuration(
  "DisseminationEngineP",
  {
    provides: { StdControl },
    uses: { Cache: parameterized(DisseminationCache), TrickleTimer: parameterized(TrickleTimer) },
  },
  (c) => {
    const engine = c.new(DisseminationEngineImplP, c.uniqueCount(UQ_DISSEMINATOR));
    c.equate(c.provides.StdControl, engine.StdControl);
    c.equate(c.uses.Cache, engine.Cache);
    c.equate(c.uses.TrickleTimer, engine.TrickleTimer);
    c.wire(engine.AMSend, c.new(AMSenderC, AM_DISSEMINATION_MESSAGE).AMSend);
    c.wire(engine.Receive, c.new(AMReceiverC, AM_DISSEMINATION_MESSAGE).Receive);
    c.wire(engine.ProbeReceive, c.new(AMReceiverC, AM_DISSEMINATION_PROBE_MESSAGE).Receive);
  },
);
