import { module } from "../mote.ts";
import { Boot } from "../interfaces/Boot.ts";

/** Does nothing once booted: the smallest image, the kernel's own cost. */
export const NullC = module("NullC", { uses: { Boot } }, () => ({
  Boot: { booted() {} },
}));
