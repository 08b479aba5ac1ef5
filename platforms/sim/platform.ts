import type { PlatformDescription } from "../PlatformDescription.ts";

export const description: PlatformDescription = {
  name: "sim",
  summary: "simulated motes in virtual time (the simulator and tests drive them)",
  target: ["es2020"],
  start: "",
  hostDriven: true,
  // The MoteHost contract (platforms/sim/MoteHost.ts).
  hostProperties: ["nodeId", "now", "onAlarm", "startAlarmAt", "stopAlarm", "alarmRunning", "alarmTime", "setLed", "sleep", "debug"],
};
