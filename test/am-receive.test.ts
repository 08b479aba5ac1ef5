/**
 * Radio Active Messages, the receiving side (TEP 116): AMReceiverC and
 * AMSnooperC over ActiveMessageC. Frames are handed to a mote's radio with
 * `World.inject`, as if received, so each test says exactly what arrives:
 * the AM layer's dispatch by destination, type and group is what is tested.
 * (The simulated radio filters unicast frames by address as the CC2420
 * does by default, so over the air a mote only hears unicasts for itself;
 * `inject` is how a snooper gets one for someone else here.)
 */
import { describe, expect, it } from "vitest";
import { OP_SEND } from "./fixtures/am/AmCommandMsg.ts";
import { probeWorld } from "./fixtures/am/probeWorld.ts";

const payload = Uint8Array.of(9, 8, 7);

describe("AMReceiverC and AMSnooperC", () => {
  it("a unicast for another node goes to the snooper of its type, a unicast for this node or a broadcast to the receiver", async () => {
    const p = await probeWorld([2], []);
    p.world.inject(2, { src: 5, dest: 7, type: 0x42, payload });
    p.world.inject(2, { src: 5, dest: 2, type: 0x42, payload });
    p.world.inject(2, { src: 5, dest: 0xffff, type: 0x42, payload });
    p.world.inject(2, { src: 5, dest: 7, type: 0x43, payload }); // nobody snoops 0x43
    p.world.inject(2, { src: 5, dest: 2, type: 0x43, payload });
    p.run(5);
    expect(p.since(2).map((l) => l.replace(/ data true reused \w+$/, ""))).toEqual([
      "snoop type 66 src 5 dest 7 group 34 forMe false len 3 payload 9,8,7",
      "receive type 66 src 5 dest 2 group 34 forMe true len 3 payload 9,8,7",
      "receive type 66 src 5 dest 65535 group 34 forMe true len 3 payload 9,8,7",
      "receive type 67 src 5 dest 2 group 34 forMe true len 3 payload 9,8,7",
    ]);
  });

  it("drops packets of another AM group, for this node or not", async () => {
    const p = await probeWorld([2], []);
    p.world.inject(2, { src: 5, dest: 0xffff, type: 0x42, group: 0x23, payload });
    p.world.inject(2, { src: 5, dest: 2, type: 0x42, group: 0x23, payload });
    p.world.inject(2, { src: 5, dest: 7, type: 0x42, group: 0x21, payload });
    p.world.inject(2, { src: 5, dest: 0xffff, type: 0x42, group: 0x22, payload: Uint8Array.of(1) });
    p.run(5);
    expect(p.since(2)).toEqual(["receive type 66 src 5 dest 65535 group 34 forMe true len 1 payload 1 data true reused false"]);
  });

  it("hands the buffer back and forth (buffer swap): each packet arrives in the buffer the last receive returned", async () => {
    const p = await probeWorld([2], []);
    for (let i = 0; i < 6; i++) p.world.inject(2, { src: 5, dest: i % 2 ? 7 : 2, type: 0x42, payload: Uint8Array.of(i) });
    p.run(5);
    const lines = p.since(2);
    expect(lines.map((l) => /^(\w+).*payload (\d+) data true reused (\w+)$/.exec(l)!.slice(1).join(" "))).toEqual([
      "receive 0 false", // the first: the radio's own spare buffer
      "snoop 1 true",
      "receive 2 true",
      "snoop 3 true",
      "receive 4 true",
      "snoop 5 true",
    ]);
  });

  it("hands packets of types nobody listens to straight back, and goes on receiving", async () => {
    const p = await probeWorld([2], []);
    for (const type of [0x00, 0x44, 0x93, 0xff]) p.world.inject(2, { src: 5, type, payload });
    p.world.inject(2, { src: 5, type: 0x42, payload: new Uint8Array(28).fill(3) });
    p.run(5);
    expect(p.since(2)).toEqual([
      `receive type 66 src 5 dest 2 group 34 forMe true len 28 payload ${Array(28).fill(3).join(",")} data true reused false`,
    ]);
  });

  it("over the air: a packet sent to a neighbour arrives with its length, and an empty payload is a packet too", async () => {
    const p = await probeWorld([1, 2], [[1, 2]]);
    p.command(1, OP_SEND, { client: 0, dest: 2, len: 0 });
    p.run(50);
    p.command(1, OP_SEND, { client: 1, dest: 0xffff, len: 28 });
    p.run(50);
    const lines = p.since(2);
    expect(lines.map((l) => /^receive type (\d+) src 1 dest (\d+) group 34 forMe true len (\d+)/.exec(l)!.slice(1).join(" "))).toEqual([
      "66 2 0",
      "67 65535 28",
    ]);
    expect(lines[1]).toContain(`payload 1,0,${Array.from({ length: 26 }, (_, i) => i + 2).join(",")} data true reused true`);
  });
});
