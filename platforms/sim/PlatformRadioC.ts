import { configuration } from "../../components/mote.ts";
import { PacketLink } from "../../components/interfaces/PacketLink.ts";
import { SplitControl } from "../../components/interfaces/SplitControl.ts";
import { TinySchedulerC } from "../../components/kernel/TinySchedulerC.ts";
import { SimRadioP } from "./SimRadioP.ts";

/** The platform's radio: frames with link-layer acknowledgements, and its power switch. */
export const PlatformRadioC = configuration("PlatformRadioC", { provides: { PacketLink, SplitControl } }, (c) => {
  const radio = c.component(SimRadioP);
  c.equate(c.provides.PacketLink, radio.PacketLink);
  c.equate(c.provides.SplitControl, radio.SplitControl);
  c.wire(radio.Scheduler, c.component(TinySchedulerC).Scheduler);
});
