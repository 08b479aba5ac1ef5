import { genericConfiguration } from "../../components/mote.ts";
import { Read } from "../../components/interfaces/Read.ts";
import { EspruinoAnalogP } from "./EspruinoAnalogP.ts";

/** An analog input by pin name, 0..65535: `c.new(AnalogReadC, "D2")`. */
export const AnalogReadC = genericConfiguration(
  "AnalogReadC",
  (_pin: string) => ({ provides: { Read: Read<number>() } }),
  (c, pin) => {
    c.equate(c.provides.Read, c.new(EspruinoAnalogP, pin).Read);
  },
);
