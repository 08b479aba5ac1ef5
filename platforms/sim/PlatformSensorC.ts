import { genericConfiguration } from "../../components/mote.ts";
import { Read } from "../../components/interfaces/Read.ts";
import { SimSensorP } from "./SimSensorP.ts";

/** Sensor `channel` (0 light, 1 temperature, others per platform): `c.new(PlatformSensorC, 0)`. */
export const PlatformSensorC = genericConfiguration(
  "PlatformSensorC",
  (_channel: number) => ({ provides: { Read: Read<number>() } }),
  (c, channel) => {
    c.equate(c.provides.Read, c.new(SimSensorP, channel).Read);
  },
);
