import type { PlatformDescription } from "../PlatformDescription.ts";
import { MOTE_HOST_PROPERTIES } from "./MoteHost.ts";

export const description: PlatformDescription = {
  name: "sim",
  summary: "simulated motes in virtual time (the simulator and tests drive them)",
  target: ["es2020"],
  start: "",
  hostDriven: true,
  hostProperties: MOTE_HOST_PROPERTIES,
};
