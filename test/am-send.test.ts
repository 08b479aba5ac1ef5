/**
 * Radio Active Messages, the sending side (TEP 116): AMSenderC clients over
 * AMQueueP and ActiveMessageC on the sim radio. Each test drives
 * test/fixtures/am/AmProbeC through command packets and reads its log.
 */
import { describe, expect, it } from "vitest";
import { EBUSY, ECANCEL, EOFF, ESIZE, FAIL, SUCCESS } from "../components/TinyError.ts";
import {
  F_ACK,
  F_SECOND,
  OP_CANCEL,
  OP_OFF_SEND,
  OP_REPEAT,
  OP_SEND,
  OP_SEND_ALL,
  OP_SEND_CANCEL,
} from "./fixtures/am/AmCommandMsg.ts";
import { probeWorld } from "./fixtures/am/probeWorld.ts";

/** The "sendDone" lines only, shortened to `client error buffer acked`. */
const dones = (lines: string[]) =>
  lines.filter((l) => l.startsWith("sendDone")).map((l) => /^sendDone(\d) (\d+) (\w+) acked (\w+)/.exec(l)!.slice(1).join(" "));

describe("AMSenderC on the radio", () => {
  it("boots with TinyOS's defaults: its address, group 0x22, 28-byte payloads", async () => {
    const { world } = await probeWorld([4], []);
    expect(world.mote(4).channel("am")).toEqual([
      "address 4 group 34 max 28 28",
      "payload28 true payload29 null",
      `start ${SUCCESS}`,
      `startDone ${SUCCESS}`,
    ]);
  });

  it("sends a unicast packet that the destination receives with the header the stack filled in", async () => {
    const p = await probeWorld([1, 2], [[1, 2]]);
    p.command(1, OP_SEND, { client: 1, dest: 2, len: 5 });
    p.run(50);
    expect(p.since(1)).toEqual([`send1 ${SUCCESS}`, `sendDone1 ${SUCCESS} first acked false type 67 dest 2 src 1 len 5`]);
    expect(p.since(2)).toEqual([
      "receive type 67 src 1 dest 2 group 34 forMe true len 5 payload 1,0,2,3,4 data true reused false",
    ]);
  });

  it("a broadcast reaches every neighbour, and only neighbours", async () => {
    const p = await probeWorld([1, 2, 3, 4], [
      [1, 2],
      [1, 3],
    ]);
    p.command(1, OP_SEND, { client: 0, dest: 0xffff, len: 2 });
    p.run(50);
    expect(dones(p.since(1))).toEqual([`0 ${SUCCESS} first false`]);
    for (const id of [2, 3]) {
      expect(p.since(id)).toEqual(["receive type 66 src 1 dest 65535 group 34 forMe true len 2 payload 0,0 data true reused false"]);
    }
    expect(p.since(4)).toEqual([]);
  });

  describe("acknowledgements (PacketAcknowledgements)", () => {
    it("wasAcked is true when the destination is a neighbour and acknowledged", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      p.command(1, OP_SEND, { dest: 2, len: 3, flags: F_ACK });
      p.run(50);
      expect(p.since(1)).toEqual([`send0 ${SUCCESS}`, `sendDone0 ${SUCCESS} first acked true type 66 dest 2 src 1 len 3`]);
      expect(p.since(2)).toHaveLength(1);
      const s = p.world.summary().find((x) => x.id === 1)!;
      expect([s.acked, s.retries]).toEqual([1, 0]);
    });

    it("wasAcked is false when the destination is absent (no such mote, or turned off): SUCCESS after the retries", async () => {
      const p = await probeWorld([1, 2, 3], [
        [1, 2],
        [1, 3],
      ]);
      p.command(1, OP_SEND, { dest: 9, len: 3, flags: F_ACK }); // nobody has id 9
      p.run(200);
      expect(dones(p.since(1))).toEqual([`0 ${SUCCESS} first false`]);
      p.world.turnOff(3);
      p.command(1, OP_SEND, { dest: 3, len: 3, flags: F_ACK });
      p.run(200);
      expect(dones(p.since(1))).toEqual([`0 ${SUCCESS} first false`]);
      const s = p.world.summary().find((x) => x.id === 1)!;
      expect(s.acked).toBe(0);
      expect(s.retries).toBe(6); // three retransmissions each (the radio's maxRetries)
      expect(p.since(2)).toEqual([]); // a unicast for someone else is not delivered
    });

    it("without requestAck (noAck) or to broadcast, nothing is acknowledged even by a neighbour that heard it", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      p.command(1, OP_SEND, { dest: 2, len: 3 }); // noAck
      p.run(50);
      p.command(1, OP_SEND, { dest: 0xffff, len: 3, flags: F_ACK });
      p.run(50);
      expect(dones(p.since(1))).toEqual([`0 ${SUCCESS} first false`, `0 ${SUCCESS} first false`]);
      expect(p.since(2)).toHaveLength(2);
      const s = p.world.summary().find((x) => x.id === 1)!;
      expect([s.acked, s.noAck, s.retries]).toEqual([0, 0, 0]);
    });
  });

  describe("errors", () => {
    it("EBUSY while the client's send is outstanding, ESIZE over 28 bytes; both leave the outstanding send alone", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      p.command(1, OP_SEND, { dest: 2, len: 3 });
      p.command(1, OP_SEND, { dest: 2, len: 4, flags: F_SECOND }); // same client, other buffer
      p.command(1, OP_SEND, { client: 1, dest: 2, len: 29 });
      p.command(1, OP_SEND, { client: 1, dest: 2, len: 28 }); // exactly the maximum
      p.run(50);
      expect(p.since(1)).toEqual([
        `send0 ${SUCCESS}`,
        `send0 ${EBUSY}`,
        `send1 ${ESIZE}`,
        `send1 ${SUCCESS}`,
        `sendDone0 ${SUCCESS} first acked false type 66 dest 2 src 1 len 3`,
        `sendDone1 ${SUCCESS} first acked false type 67 dest 2 src 1 len 28`,
      ]);
      expect(p.since(2).map((l) => /len (\d+)/.exec(l)![1])).toEqual(["3", "28"]);
      // Once done, the client may send again.
      p.command(1, OP_SEND, { dest: 2, len: 4, flags: F_SECOND });
      p.run(50);
      expect(dones(p.since(1))).toEqual([`0 ${SUCCESS} second false`]);
    });

    it("with the radio off a send is refused (EOFF) and the queue stays usable once it is on again", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      p.command(1, OP_OFF_SEND, { dest: 2, len: 3 });
      p.run(50);
      expect(p.since(1)).toEqual([
        `stop ${SUCCESS}`,
        `stopDone ${SUCCESS}`,
        `send0 ${EOFF}`,
        `start ${SUCCESS}`,
        `startDone ${SUCCESS}`,
        `send0 ${SUCCESS}`,
        `sendDone0 ${SUCCESS} first acked false type 66 dest 2 src 1 len 3`,
      ]);
      expect(p.since(2)).toHaveLength(1);
    });
  });

  describe("cancel", () => {
    it("cancelling the packet the radio is backing off for: SUCCESS, then sendDone(ECANCEL), and nothing goes on the air", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      p.command(1, OP_SEND_CANCEL, { dest: 2, len: 3 });
      p.run(50);
      expect(p.since(1)).toEqual([
        `send0 ${SUCCESS}`,
        `cancel0 ${SUCCESS}`,
        `sendDone0 ${ECANCEL} first acked false type 66 dest 2 src 1 len 3`,
      ]);
      expect(p.since(2)).toEqual([]);
      expect(p.world.summary().find((x) => x.id === 1)!.transmissions).toBe(0);
    });

    it("cancelling a packet still in the queue: SUCCESS, sendDone(ECANCEL) from a task, and the one being sent goes on", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      p.command(1, OP_SEND, { client: 0, dest: 2, len: 3 });
      p.command(1, OP_SEND, { client: 1, dest: 2, len: 3 });
      p.command(1, OP_CANCEL, { client: 1 });
      p.run(50);
      expect(p.since(1)).toEqual([
        `send0 ${SUCCESS}`,
        `send1 ${SUCCESS}`,
        `cancel1 ${SUCCESS}`,
        `sendDone1 ${ECANCEL} first acked false type 67 dest 2 src 0 len 3`, // never reached the AM layer, which fills in the source,
        `sendDone0 ${SUCCESS} first acked false type 66 dest 2 src 1 len 3`,
      ]);
      expect(p.since(2)).toEqual(["receive type 66 src 1 dest 2 group 34 forMe true len 3 payload 0,0,2 data true reused false"]);
    });

    it("too late: FAIL for a packet on the air (it is then delivered and done with SUCCESS), and for one already done", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      const radio = p.world.mote(1).radio!;
      p.command(1, OP_SEND, { dest: 2, len: 20 });
      expect(p.world.runUntilCondition(() => radio.transmitting, 50)).toBe(true);
      p.command(1, OP_CANCEL); // arrives while the frame is on the air
      p.run(50);
      p.command(1, OP_CANCEL); // after sendDone
      p.command(1, OP_CANCEL, { client: 2 }); // never sent
      p.run(5);
      expect(p.since(1)).toEqual([
        `send0 ${SUCCESS}`,
        `cancel0 ${FAIL}`,
        `sendDone0 ${SUCCESS} first acked false type 66 dest 2 src 1 len 20`,
        `cancel0 ${FAIL}`,
        `cancel2 ${FAIL}`,
      ]);
      expect(p.since(2)).toHaveLength(1);
    });
  });

  describe("the shared queue (AMQueueP)", () => {
    it("serves clients with a packet queued round-robin, even when one re-sends from every sendDone", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      p.command(1, OP_REPEAT, { client: 0, len: 4 }); // client 0 re-sends four times
      p.command(1, OP_REPEAT, { client: 1, len: 1 });
      p.command(1, OP_REPEAT, { client: 2, len: 1 });
      p.command(1, OP_SEND_ALL, { dest: 2, len: 2 });
      p.run(500);
      const lines = p.since(1);
      expect(lines.slice(0, 3)).toEqual([`send0 ${SUCCESS}`, `send1 ${SUCCESS}`, `send2 ${SUCCESS}`]);
      expect(dones(lines).map((d) => d[0]).join("")).toBe("012012000");
      expect(dones(lines).every((d) => d.endsWith(`${SUCCESS} first false`))).toBe(true);
      // The receiver heard them in the same order: client, then its count.
      expect(p.since(2).map((l) => /payload (\d+,\d+)/.exec(l)![1])).toEqual([
        "0,0",
        "1,0",
        "2,0",
        "0,1",
        "1,1",
        "2,1",
        "0,2",
        "0,3",
        "0,4",
      ]);
    });

    it("two clients of the same AM type each keep their own slot", async () => {
      const p = await probeWorld([1, 2], [[1, 2]]);
      p.command(1, OP_SEND, { client: 0, dest: 2, len: 2 });
      p.command(1, OP_SEND, { client: 2, dest: 2, len: 2 });
      p.run(100);
      expect(dones(p.since(1))).toEqual([`0 ${SUCCESS} first false`, `2 ${SUCCESS} first false`]);
      expect(p.since(2).map((l) => /type (\d+).*payload (\d+)/.exec(l)!.slice(1).join(" "))).toEqual(["66 0", "66 2"]);
    });
  });
});
