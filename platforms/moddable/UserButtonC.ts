import { configuration } from "../../components/mote.ts";
import { Get } from "../../components/interfaces/Get.ts";
import { Notify } from "../../components/interfaces/Notify.ts";
import { TinySchedulerC } from "../../components/kernel/TinySchedulerC.ts";
import { ModdableUserButtonP } from "./ModdableUserButtonP.ts";

/** The user button, as TinyOS's UserButtonC: Notify<button state> and Get<button state>. */
export const UserButtonC = configuration("UserButtonC", { provides: { Notify: Notify<number>(), Get } }, (c) => {
  const button = c.component(ModdableUserButtonP);
  c.equate(c.provides.Notify, button.Notify);
  c.equate(c.provides.Get, button.Get);
  c.wire(button.Scheduler, c.component(TinySchedulerC).Scheduler);
});
