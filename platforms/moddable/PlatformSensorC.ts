import { genericConfiguration } from "../../components/mote.ts";
import { Read } from "../../components/interfaces/Read.ts";
import { ModdableSensorP } from "./ModdableSensorP.ts";

/** Sensor `channel` (n ≥ 2: the Analog input on GPIO n; 0 and 1 read EOFF on ESP32): `c.new(PlatformSensorC, 34)`. */
export const PlatformSensorC = genericConfiguration(
  "PlatformSensorC",
  (_channel: number) => ({ provides: { Read: Read<number>() } }),
  (c, channel) => {
    c.equate(c.provides.Read, c.new(ModdableSensorP, channel).Read);
  },
);
