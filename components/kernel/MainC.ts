import { configuration } from "../mote.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Init } from "../interfaces/Init.ts";
import { Main } from "../interfaces/Main.ts";
import { PlatformC } from "#platform";
import { RealMainP } from "./RealMainP.ts";
import { TinySchedulerC } from "./TinySchedulerC.ts";

/**
 * Every application's root: wire `Boot` to start, and wire components that
 * need initializing to `SoftwareInit`; they are initialized in wiring order.
 */
export const MainC = configuration(
  "MainC",
  { provides: { Boot, Main }, uses: { SoftwareInit: Init } },
  (c) => {
    const main = c.component(RealMainP);
    const scheduler = c.component(TinySchedulerC);
    const platform = c.component(PlatformC);
    c.equate(c.provides.Boot, main.Boot);
    c.equate(c.provides.Main, main.Main);
    c.equate(c.uses.SoftwareInit, main.SoftwareInit);
    c.wire(main.Scheduler, scheduler.Scheduler);
    c.wire(main.PlatformInit, platform.Init);
  },
);
