import { genericModule, parameterized } from "../mote.ts";
import { Beat } from "../interfaces/Beat.ts";
import { Debug } from "../interfaces/Debug.ts";
import { Timer } from "../interfaces/Timer.ts";

/**
 * One timer shared by `clients` Beat clients (a parameterized interface:
 * client i is index i). Per-client state sits in typed arrays sized at build
 * time by the client count, and each `beat` goes to the one client whose
 * countdown ran out. Before signalling it reports `signal <index>` on the
 * "metronome" channel, so the routing can be seen.
 */
export const MetronomeImplP = genericModule(
  "MetronomeImplP",
  (clients: number, _tickMs: number) => ({
    provides: { Beat: parameterized(Beat, clients) },
    uses: { Timer, Debug },
  }),
  (c, _host, clients, tickMs) => {
    const every = new Uint16Array(clients || 1); // 0: stopped
    const left = new Uint16Array(clients || 1);
    const counts = new Uint16Array(clients || 1);
    let running = 0;
    return {
      Timer: {
        fired() {
          for (let i = 0; i < clients; i++) {
            if (every[i] && --left[i] === 0) {
              left[i] = every[i];
              counts[i]++;
              c.Debug.dbg("metronome", `signal ${i}`);
              c.Beat.beat(i, counts[i]);
            }
          }
        },
      },
      Beat: {
        start(i, n) {
          if (!every[i]) running++;
          every[i] = left[i] = n;
          counts[i] = 0;
          if (!c.Timer.isRunning()) c.Timer.startPeriodic(tickMs);
        },
        stop(i) {
          if (every[i]) running--;
          every[i] = 0;
          if (running === 0) c.Timer.stop();
        },
      },
    };
  },
);
