import { module } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { Init } from "../interfaces/Init.ts";
import { NodeId } from "../interfaces/NodeId.ts";
import { Random } from "../interfaces/Random.ts";

const MODULUS = 2147483647; // 2^31 - 1
const MULTIPLIER = 16807;

/**
 * Park and Miller's minimal standard generator, as TinyOS's RandomMlcgC,
 * seeded from the node id so motes differ. The product stays below 2^53, so
 * it is exact without Math.imul (which Espruino lacks).
 */
export const RandomMlcgC = module(
  "RandomMlcgC",
  { provides: { Init, Random }, uses: { NodeId } },
  (c) => {
    let seed = 1;
    const next = () => {
      seed = (seed * MULTIPLIER) % MODULUS;
      return seed;
    };
    return {
      Init: {
        init() {
          seed = (c.NodeId.get() + 1) % MODULUS;
          if (seed === 0) seed = 1;
          return SUCCESS;
        },
      },
      Random: {
        rand32: () => ((next() & 0xffff) * 0x10000 + (next() & 0xffff)) >>> 0,
        rand16: () => next() & 0xffff,
      },
    };
  },
);
