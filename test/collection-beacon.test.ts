/**
 * CTP's beacon timer is reset when a mote's own route gets worse by
 * ETX_RISE_THRESHOLD (1.0 ETX, in tenths 10) since its last beacon, though
 * its parent stays the same (CtpRoutingEngineP: "the advertised ETX
 * rising"). One relay mote (it sends no data, so only beacons move its
 * link estimate) hears one neighbour, mote 7, that is not in the world:
 * the test forges 7's beacons, one a second with consistent sequence
 * numbers, and raises the path ETX 7 advertises.
 */
import { describe, expect, it } from "vitest";
import { AM_CTP_ROUTING, CtpRoutingFrame } from "../components/collection/Ctp.ts";
import { encodeMessage } from "../tools/serial/index.ts";
import { World } from "../tools/sim/World.ts";
import { imageOf } from "./support.ts";

const RELAY_PROBE = "test/fixtures/collection/RelayRouteProbeAppC.ts";
/** CtpRoutingEngineP's ETX_RISE_THRESHOLD, tenths of ETX. */
const ETX_RISE_THRESHOLD = 10;
const MOTE = 2;
const NEIGHBOUR = 7;
/** When 7's advertised route gets worse: by then mote 2's beacon interval has grown to tens of seconds. */
const RISE_AT = 70_000;
/** 7's beacons go out at 500 ms past each second: the first worse one. */
const HEARD_AT = RISE_AT + 500;

/** Runs mote 2 with 7 advertising path ETX `before` (tenths), then `after` from RISE_AT on. */
async function run(before: number, after: number) {
  const beacons: number[] = [];
  const world = new World({
    seed: 12,
    keepDebug: false,
    radio: { maxRetries: 0 },
    trace: (l) => {
      if (!l.includes('"tx"')) return;
      const t = JSON.parse(l) as { t: number; src: number; type: number };
      if (t.src === MOTE && t.type === AM_CTP_ROUTING) beacons.push(t.t * 1000);
    },
  });
  world.addMote({ id: MOTE, image: await imageOf(RELAY_PROBE), bootAtMs: 0 });
  const routes: { t: number; parent: number; etx: number }[] = [];
  world.onDebug("route", (_m, _c, msg) => {
    const [, parent, etx] = msg.split(" ");
    routes.push({ t: world.nowMs, parent: Number(parent), etx: Number(etx) });
  });
  for (let k = 0; k < 100; k++) {
    const at = 500 + 1_000 * k;
    const payload = encodeMessage(CtpRoutingFrame, { leFlags: 0, leSeq: k & 255, options: 0, parent: 0, etx: at < RISE_AT ? before : after });
    world.inject(MOTE, { src: NEIGHBOUR, dest: 0xffff, type: AM_CTP_ROUTING, payload }, at);
  }
  world.runUntil(RISE_AT);
  const settled = routes.at(-1)!;
  world.runUntil(RISE_AT + 10_000);
  const risen = routes.at(-1)!;
  const quietBefore = beacons.filter((t) => t > RISE_AT - 25_000 && t < RISE_AT).length;
  const after10s = beacons.filter((t) => t >= RISE_AT && t < RISE_AT + 10_000);
  return { settled, risen, quietBefore, after10s, routes };
}

describe("CTP beacons on a rising ETX", () => {
  it(`a rise of ${ETX_RISE_THRESHOLD / 10} ETX or more puts the beacon interval back to 128 ms; a smaller one waits for the grown interval`, async () => {
    const small = await run(20, 20 + ETX_RISE_THRESHOLD - 1);
    const large = await run(20, 20 + ETX_RISE_THRESHOLD);
    for (const r of [small, large]) {
      // A clean link to 7 (ETX 1.0) plus 7's route: 3.0, and 7 is the parent before and after.
      expect(r.settled).toMatchObject({ parent: NEIGHBOUR, etx: 30 });
      expect(r.quietBefore).toBeLessThanOrEqual(1);
      expect(r.routes.filter((x) => x.t > 5_000).every((x) => x.parent === NEIGHBOUR)).toBe(true);
    }
    expect(small.risen.etx).toBe(30 + ETX_RISE_THRESHOLD - 1);
    expect(large.risen.etx).toBe(30 + ETX_RISE_THRESHOLD);
    // Below the threshold: nothing new to say before the grown interval's own beacon.
    expect(small.after10s).toEqual([]);
    // At the threshold: the first beacon within one 128 ms interval of hearing 7's worse route, then the interval doubles again.
    expect(large.after10s.length).toBeGreaterThanOrEqual(4);
    const first = large.after10s[0]! - HEARD_AT;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(128 + 20);
    const gaps = large.after10s.slice(1, 4).map((t, i) => t - large.after10s[i]!);
    expect(gaps.every((g) => g < 1_024)).toBe(true);
  });
});
