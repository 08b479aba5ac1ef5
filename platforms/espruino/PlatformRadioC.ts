import { configuration } from "../../components/mote.ts";
import { PacketLink } from "../../components/interfaces/PacketLink.ts";
import { SplitControl } from "../../components/interfaces/SplitControl.ts";
import { TinySchedulerC } from "../../components/kernel/TinySchedulerC.ts";
import { EspruinoBleRadioP } from "./EspruinoBleRadioP.ts";

/** The radio on nRF52 boards: BLE advertising and scanning as a PacketLink (no acknowledgements). */
export const PlatformRadioC = configuration("PlatformRadioC", { provides: { PacketLink, SplitControl } }, (c) => {
  const radio = c.component(EspruinoBleRadioP);
  c.equate(c.provides.PacketLink, radio.PacketLink);
  c.equate(c.provides.SplitControl, radio.SplitControl);
  c.wire(radio.Scheduler, c.component(TinySchedulerC).Scheduler);
});
