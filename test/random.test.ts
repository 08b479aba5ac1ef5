import { describe, expect, it } from "vitest";
import { bootOne } from "./support.ts";

const PROBE = "test/fixtures/apps/RandomProbeAppC.ts";

/** Park and Miller's minimal standard generator, computed independently with BigInt. */
function reference(nodeId: number, count16: number, count32: number): number[] {
  let seed = BigInt(nodeId + 1);
  const next = () => {
    seed = (seed * 16807n) % 2147483647n;
    return Number(seed);
  };
  const out: number[] = [];
  for (let i = 0; i < count16; i++) out.push(next() & 0xffff);
  for (let i = 0; i < count32; i++) out.push((((next() & 0xffff) * 0x10000) + (next() & 0xffff)) >>> 0);
  return out;
}

describe("RandomC (RandomMlcgC)", () => {
  it("gives Park-Miller's sequence seeded from the node id", async () => {
    for (const nodeId of [1, 7, 500]) {
      const { mote } = await bootOne(PROBE, { nodeId });
      expect(mote.channel("random")[0]!.split(" ").map(Number)).toEqual(reference(nodeId, 5, 2));
    }
  });

  it("differs between motes and repeats for the same mote", async () => {
    const a = (await bootOne(PROBE, { nodeId: 3 })).mote.channel("random")[0];
    const b = (await bootOne(PROBE, { nodeId: 4 })).mote.channel("random")[0];
    const again = (await bootOne(PROBE, { nodeId: 3 })).mote.channel("random")[0];
    expect(a).not.toBe(b);
    expect(again).toBe(a);
  });
});
