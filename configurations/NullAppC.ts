import { configuration } from "../components/mote.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { NullC } from "../components/apps/NullC.ts";

/** The null application: boots and sleeps forever. */
export const NullAppC = configuration("NullAppC", {}, (c) => {
  c.wire(c.component(NullC).Boot, c.component(MainC).Boot);
});
