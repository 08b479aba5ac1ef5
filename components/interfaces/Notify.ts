import { command, defineInterface, event } from "../mote.ts";
import { ecombine, type ErrorT } from "../TinyError.ts";

/**
 * Notification of changes of a value, as TinyOS's Notify<val_t>: `enable()`
 * starts `notify(value)` events (a button press, a threshold crossed),
 * `disable()` stops them. Used by UserButtonC with BUTTON_PRESSED /
 * BUTTON_RELEASED.
 */
export const Notify = <T>() =>
  defineInterface("Notify", {
    commands: {
      enable: command<() => ErrorT>(ecombine),
      disable: command<() => ErrorT>(ecombine),
    },
    events: { notify: event<(value: T) => void>() },
  });

/** The user button's states, as TinyOS's button_state_t. */
export const BUTTON_RELEASED = 0;
export const BUTTON_PRESSED = 1;
