import { command, defineInterface } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/**
 * Numbered events from inside the collection layer (TinyOS
 * `CollectionDebug`; the codes are CtpDebugMsg.h's, see
 * components/collection/Ctp.ts). Nothing is wired by default, so an image
 * that does not listen pays nothing; a listener (a serial debug sender, a
 * simulator probe) gets numbers only, never strings.
 */
export const CollectionDebug = defineInterface("CollectionDebug", {
  commands: {
    logEvent: command<(type: number) => ErrorT>(ecombine),
    logEventSimple: command<(type: number, arg: number) => ErrorT>(ecombine),
    logEventDbg: command<(type: number, arg1: number, arg2: number, arg3: number) => ErrorT>(ecombine),
    /** A packet: its origin sequence number, origin, and the other node (next or last hop). */
    logEventMsg: command<(type: number, msg: number, origin: number, node: number) => ErrorT>(ecombine),
    logEventRoute: command<(type: number, parent: number, hopcount: number, metric: number) => ErrorT>(ecombine),
  },
});
