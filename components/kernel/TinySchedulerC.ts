import { configuration, parameterized } from "../mote.ts";
import { Scheduler } from "../interfaces/Scheduler.ts";
import { TaskBasic } from "../interfaces/TaskBasic.ts";
import { McuSleepC } from "#platform";
import { SchedulerBasicP } from "./SchedulerBasicP.ts";

/** The task scheduler. The build wires each module's tasks to `TaskBasic`. */
export const TinySchedulerC = configuration(
  "TinySchedulerC",
  { provides: { Scheduler, TaskBasic: parameterized(TaskBasic) } },
  (c) => {
    const scheduler = c.new(SchedulerBasicP, c.uniqueCount("TinySchedulerC.TaskBasic"));
    const sleep = c.component(McuSleepC);
    c.equate(c.provides.Scheduler, scheduler.Scheduler);
    c.equate(c.provides.TaskBasic, scheduler.TaskBasic);
    c.wire(scheduler.McuSleep, sleep.McuSleep);
  },
);
