import { module } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Init } from "../interfaces/Init.ts";
import { Main } from "../interfaces/Main.ts";
import { Scheduler } from "../interfaces/Scheduler.ts";

/**
 * The boot sequence of TEP 107: platform init, queued tasks, software init
 * (in wiring order), queued tasks, then `Boot.booted`. After that the mote
 * is driven by HAL interrupts, each ending in the task loop. (TEP 107 starts
 * with scheduler init; here every component's state is created fresh as the
 * image starts, so the scheduler is already empty.)
 */
export const RealMainP = module(
  "RealMainP",
  {
    provides: { Main, Boot },
    uses: { Scheduler, PlatformInit: Init, SoftwareInit: Init },
    defaults: ["PlatformInit", "SoftwareInit"],
  },
  (c) => {
    const runQueued = () => {
      while (c.Scheduler.runNextTask()) {
        // run until the queue is empty
      }
    };
    return {
      Main: {
        boot() {
          c.PlatformInit.init();
          runQueued();
          c.SoftwareInit.init();
          runQueued();
          c.Boot.booted();
          c.Scheduler.taskLoop();
        },
      },
      defaults: {
        PlatformInit: { init: () => SUCCESS },
        SoftwareInit: { init: () => SUCCESS },
      },
    };
  },
);
