import { configuration } from "../../components/mote.ts";
import { Read } from "../../components/interfaces/Read.ts";
import { EspruinoSensorP, SENSOR_LIGHT } from "./EspruinoSensorP.ts";

/** The light sensor (Puck.js `Puck.light()`), 0..65535, behind Read<number>; EOFF elsewhere. */
export const LightSensorC = configuration("LightSensorC", { provides: { Read: Read<number>() } }, (c) => {
  c.equate(c.provides.Read, c.new(EspruinoSensorP, SENSOR_LIGHT).Read);
});
