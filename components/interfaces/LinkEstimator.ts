import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/**
 * Link quality to neighbours (TinyOS `LinkEstimator`, as the 4-bit
 * estimator gives it). `getLinkQuality` is the link's ETX in tenths (10 is
 * a perfect link), 0xFFFF for a neighbour not in the table. The forwarding
 * engine reports each unicast's outcome (`txAck`/`txNoAck`); the routing
 * engine pins its parent (and roots) so they are never replaced.
 * `evicted` says a neighbour left the table.
 */
export const LinkEstimator = defineInterface("LinkEstimator", {
  commands: {
    getLinkQuality: command<(neighbor: number) => number>("uncombined"),
    insertNeighbor: command<(neighbor: number) => ErrorT>(ecombine),
    pinNeighbor: command<(neighbor: number) => ErrorT>(ecombine),
    unpinNeighbor: command<(neighbor: number) => ErrorT>(ecombine),
    /** Forgets the data-driven counts (a new parent starts afresh). */
    clearDLQ: command<(neighbor: number) => ErrorT>(ecombine),
    txAck: command<(neighbor: number) => ErrorT>(ecombine),
    txNoAck: command<(neighbor: number) => ErrorT>(ecombine),
  },
  events: {
    evicted: event<(neighbor: number) => void>(),
  },
});
