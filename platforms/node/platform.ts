import type { PlatformDescription } from "../PlatformDescription.ts";

export const description: PlatformDescription = {
  name: "node",
  summary: "one mote in real time as a host process (LEDs printed, timers on the wall clock)",
  target: ["node20"],
  start: "",
  hostDriven: true,
};
