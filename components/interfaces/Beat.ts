import { command, defineInterface, event } from "../mote.ts";

/**
 * One client's view of a shared metronome: `start(every)` asks for a `beat`
 * on every `every`-th tick, counting from this client's start; `stop` ends
 * them. `beat(count)` carries this client's own beat number, from 1.
 */
export const Beat = defineInterface("Beat", {
  commands: {
    start: command<(every: number) => void>(),
    stop: command<() => void>(),
  },
  events: { beat: event<(count: number) => void>() },
});
