import type { PlatformDescription } from "../PlatformDescription.ts";
import { MOTE_HOST_PROPERTIES } from "../sim/MoteHost.ts";

export const description: PlatformDescription = {
  name: "node",
  summary: "one mote in real time as a host process (LEDs printed, timers on the wall clock)",
  target: ["node20"],
  start: "",
  hostDriven: true,
  hostProperties: MOTE_HOST_PROPERTIES,
};
