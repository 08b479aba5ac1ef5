import { genericConfiguration } from "../../components/mote.ts";
import { Read } from "../../components/interfaces/Read.ts";
import { EspruinoSensorP } from "./EspruinoSensorP.ts";

/** Sensor `channel` (0 the demo sensor: light on a Puck.js, else temperature; 1 temperature; n ≥ 2 analog pin Dn; see EspruinoSensorP): `c.new(PlatformSensorC, 1)`. */
export const PlatformSensorC = genericConfiguration(
  "PlatformSensorC",
  (_channel: number) => ({ provides: { Read: Read<number>() } }),
  (c, channel) => {
    c.equate(c.provides.Read, c.new(EspruinoSensorP, channel).Read);
  },
);
