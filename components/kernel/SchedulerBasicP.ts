import { genericModule, parameterized } from "../mote.ts";
import { McuSleep } from "../interfaces/McuSleep.ts";
import { Scheduler } from "../interfaces/Scheduler.ts";
import { TaskBasic } from "../interfaces/TaskBasic.ts";

/**
 * TinyOS 2's basic scheduler (TEP 106): a FIFO of task ids with one slot per
 * task, so a task already queued cannot be posted again (post-once) and the
 * queue can never overflow. Sized at build time by the number of tasks.
 */
export const SchedulerBasicP = genericModule(
  "SchedulerBasicP",
  (taskCount: number) => ({
    provides: { Scheduler, TaskBasic: parameterized(TaskBasic, taskCount) },
    uses: { McuSleep },
  }),
  (c, _host, taskCount) => {
    const size = taskCount || 1;
    const queue = new Uint16Array(size);
    const queued = new Uint8Array(size);
    let head = 0;
    let count = 0;

    const runNextTask = () => {
      if (count === 0) return false;
      const id = queue[head];
      head = head + 1 === size ? 0 : head + 1;
      count--;
      queued[id] = 0;
      c.TaskBasic.runTask(id);
      return true;
    };

    return {
      Scheduler: {
        init() {
          head = 0;
          count = 0;
          queued.fill(0);
        },
        runNextTask,
        taskLoop() {
          while (count > 0) runNextTask();
          c.McuSleep.sleep();
        },
      },
      TaskBasic: {
        postTask(id) {
          if (queued[id]) return false;
          queued[id] = 1;
          let tail = head + count;
          if (tail >= size) tail -= size;
          queue[tail] = id;
          count++;
          return true;
        },
      },
    };
  },
);
