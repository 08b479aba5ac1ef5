import { command, defineInterface, event, type Signature } from "../mote.ts";

/**
 * A disseminated value as its users see it (TEP 118 `DisseminationValue`):
 * `get` the current value, `set` it locally without spreading it (an initial
 * value), and `changed` when a newer one arrived from the network.
 * Generic in the value's type: `DisseminationValue<number>()`.
 */
export const DisseminationValue = <T>() =>
  defineInterface("DisseminationValue", {
    commands: {
      // `command` cannot see that `() => T` returns a value while T is open; "uncombined" is what it would require.
      get: (command as (combine: "uncombined") => Signature<() => T>)("uncombined"),
      set: command<(value: T) => void>(),
    },
    events: { changed: event<() => void>() },
  });
