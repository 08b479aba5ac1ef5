import { command, defineInterface } from "../mote.ts";

/**
 * What the collection tree protocol knows about this node's route (TinyOS
 * `CtpInfo`). Where TinyOS returns an error and fills a pointer, these
 * return the value or a sentinel: `getParent()` is 0xFFFF without a parent
 * (a root's parent is itself), `getEtx()` is the path ETX in tenths (0 at a
 * root) or 0xFFFF without a route.
 */
export const CtpInfo = defineInterface("CtpInfo", {
  commands: {
    getParent: command<() => number>("uncombined"),
    getEtx: command<() => number>("uncombined"),
    /** Re-evaluates the parent choice soon (a task). */
    recomputeRoutes: command<() => void>(),
    /** Beacons soon: the beacon interval goes back to its minimum. */
    triggerRouteUpdate: command<() => void>(),
    triggerImmediateRouteUpdate: command<() => void>(),
    setNeighborCongested: command<(neighbor: number, congested: boolean) => void>(),
    isNeighborCongested: command<(neighbor: number) => boolean>("uncombined"),
    numNeighbors: command<() => number>("uncombined"),
    /** The i-th routing table entry's node id (0xFFFF past the end). */
    getNeighborAddr: command<(i: number) => number>("uncombined"),
    /** Its link ETX in tenths (0xFFFF past the end or unknown). */
    getNeighborLinkQuality: command<(i: number) => number>("uncombined"),
    /** Its path ETX through it, in tenths: link plus advertised (0xFFFF past the end or unknown). */
    getNeighborRouteQuality: command<(i: number) => number>("uncombined"),
  },
});
