import { configuration } from "../../components/mote.ts";
import { GeneralIO } from "../../components/interfaces/GeneralIO.ts";
import { SimLedsP } from "./SimLedsP.ts";

export const PlatformLedsC = configuration(
  "PlatformLedsC",
  { provides: { Led0: GeneralIO, Led1: GeneralIO, Led2: GeneralIO } },
  (c) => {
    const pins = c.component(SimLedsP);
    c.equate(c.provides.Led0, pins.Led0);
    c.equate(c.provides.Led1, pins.Led1);
    c.equate(c.provides.Led2, pins.Led2);
  },
);
