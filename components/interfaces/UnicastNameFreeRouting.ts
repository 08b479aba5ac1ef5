import { command, defineInterface, event } from "../mote.ts";

/**
 * The next hop toward any root (TinyOS `UnicastNameFreeRouting`): what a
 * routing engine tells a forwarding engine. `nextHop()` is 0xFFFF without a
 * route; `routeFound`/`noRoute` say when that changes.
 */
export const UnicastNameFreeRouting = defineInterface("UnicastNameFreeRouting", {
  commands: {
    nextHop: command<() => number>("uncombined"),
    hasRoute: command<() => boolean>("uncombined"),
  },
  events: {
    routeFound: event<() => void>(),
    noRoute: event<() => void>(),
  },
});
