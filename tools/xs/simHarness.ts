/**
 * Entry point bundled into a script for the XS engine: the same virtual
 * clock and simulated mote host the simulator uses, so an image runs on XS
 * exactly as it runs in the simulator. Exposed as `globalThis.moteHarness`.
 */
import { EventQueue } from "../sim/EventQueue.ts";
import type { ImageFactory } from "../sim/image.ts";
import { SimMote } from "../sim/SimMote.ts";

const queue = new EventQueue();
let mote: SimMote | undefined;

(globalThis as Record<string, unknown>).moteHarness = {
  /** Starts the image defined by the script evaluated before (`globalThis.mote`). */
  boot(nodeId: number) {
    const factory = (globalThis as unknown as { mote: ImageFactory }).mote;
    mote = new SimMote(queue, factory, { nodeId });
    mote.boot();
  },
  runMs(ms: number) {
    queue.runUntil(ms * 1000);
    return queue.eventsRun;
  },
  ledTrace() {
    return mote ? mote.ledTrace : [];
  },
};
