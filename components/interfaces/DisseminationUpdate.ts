import { command, defineInterface } from "../mote.ts";

/**
 * Changing a disseminated value network-wide (TEP 118
 * `DisseminationUpdate`): the new value gets a newer version and spreads
 * until every node has it. Generic in the value's type: `DisseminationUpdate<number>()`.
 */
export const DisseminationUpdate = <T>() =>
  defineInterface("DisseminationUpdate", {
    commands: { change: command<(value: T) => void>() },
  });
