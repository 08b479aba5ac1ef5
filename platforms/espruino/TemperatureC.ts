import { configuration } from "../../components/mote.ts";
import { Read } from "../../components/interfaces/Read.ts";
import { EspruinoSensorP, SENSOR_TEMPERATURE } from "./EspruinoSensorP.ts";

/** The chip's temperature (`E.getTemperature()`) in hundredths of °C, behind Read<number>. */
export const TemperatureC = configuration("TemperatureC", { provides: { Read: Read<number>() } }, (c) => {
  c.equate(c.provides.Read, c.new(EspruinoSensorP, SENSOR_TEMPERATURE).Read);
});
