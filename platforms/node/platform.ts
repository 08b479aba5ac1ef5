import type { PlatformDescription } from "../PlatformDescription.ts";

export const description: PlatformDescription = {
  name: "node",
  summary: "one mote in real time as a host process (LEDs printed, timers on the wall clock)",
  target: ["node20"],
  start: "",
  hostDriven: true,
  // The MoteHost contract (platforms/sim/MoteHost.ts).
  hostProperties: ["nodeId", "now", "onAlarm", "startAlarmAt", "stopAlarm", "alarmRunning", "alarmTime", "setLed", "sleep", "debug"],
};
