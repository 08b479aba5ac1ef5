/** The serial Active Message stack on simulated motes: what goes out on the UART, ACKs, errors, TestSerial. */
import { describe, expect, it } from "vitest";
import { TestSerialMsg } from "../components/apps/TestSerialMsg.ts";
import { EventQueue } from "../tools/sim/EventQueue.ts";
import { decodeSerialStream, encodeAck, encodeAmFrame, encodeFrame, MessageRegistry, SerialWriter } from "../tools/serial/index.ts";
import { DROP_REASON_NAMES } from "../components/serial/SerialProtocol.ts";
import { eventCostOnXs } from "../tools/xs/moteOnXs.ts";
import { SimMote } from "../tools/sim/SimMote.ts";
import { buildApp, imageOf } from "./support.ts";

const PROBE = "test/fixtures/serial/SerialProbeAppC.ts";
const TEST_SERIAL = "TestSerialAppC";

/** One mote on the sim platform's UART (115200 baud); `writes` records each UART send with its time. */
async function boot(app: string) {
  const queue = new EventQueue();
  const mote = new SimMote(queue, await imageOf(app), { nodeId: 1 });
  const writes: { timeMs: number; bytes: Uint8Array }[] = [];
  mote.serialListeners.push((bytes) => writes.push({ timeMs: queue.now / 1000, bytes }));
  mote.boot();
  const out = () => [...mote.serialOutput];
  return { queue, mote, writes, out, runMs: (ms: number) => queue.runUntil(queue.now + ms * 1000) };
}

const hex = (b: Iterable<number>) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");

describe("SerialActiveMessageC, SerialAMSenderC, SerialAMReceiverC on the sim UART", () => {
  it("keeps TinyOS's error semantics: EBUSY, ESIZE, ECANCEL, and FAIL for a packet already on the wire", async () => {
    const { mote, runMs } = await boot(PROBE);
    runMs(100);
    expect(mote.channel("serial")).toEqual([
      "start 0",
      "startDone 0",
      "max 28 28",
      "payload28 true payload29 null",
      "requestAck 1 wasAcked false",
      "sendA 0",
      "sendA again 5", // EBUSY: this sender's packet is still queued
      "sendB 29 2", // ESIZE
      "sendB 0", // queued behind A
      "cancelB 0", // still in the queue: cancelled...
      "cancelA 1", // ...but A is on the wire: FAIL
      "sendDoneB true 3", // ECANCEL, from a task
      "sendB again 0",
      "sendDoneA true 0 type 66 dest 4660 len 2",
      "sendDoneB true 0",
    ]);
  });

  it("writes each packet as one 0x45 frame that the PC side decodes", async () => {
    const { mote, writes, runMs } = await boot(PROBE);
    runMs(100);
    expect(writes).toHaveLength(2);
    // A: dest 0x1234, src and group as the buffer had them (0), type 0x42, payload AB 7E (escaped).
    expect(hex(writes[0]!.bytes)).toMatch(/^7e 45 00 12 34 00 00 02 00 42 ab 7d 5e /);
    const { packets, stats } = decodeSerialStream(mote.serialOutput);
    expect(packets).toEqual([
      { dest: 0x1234, src: 0, group: 0, type: 0x42, payload: Uint8Array.of(0xab, 0x7e), protocol: 0x45, seq: -1 },
      { dest: 7, src: 0, group: 0, type: 0x43, payload: Uint8Array.of(1, 2, 0x7d), protocol: 0x45, seq: -1 },
    ]);
    expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
  });

  it("answers a PC packet with seq by the exact ACK frame and delivers it (buffer swap)", async () => {
    const { mote, out, runMs } = await boot(PROBE);
    runMs(100);
    const before = mote.serialOutput.length;
    const writer = new SerialWriter(0x26);
    mote.serialInput(writer.packet({ dest: 0xffff, src: 9, group: 0x22, type: 0x42, payload: Uint8Array.of(5, 0x7e, 7) }).bytes);
    mote.serialInput(writer.packet({ dest: 1, src: 10, group: 0x23, type: 0x42, payload: Uint8Array.of(8) }).bytes);
    runMs(10);
    expect(hex(out().slice(before))).toBe(`${hex(encodeAck(0x26))} ${hex(encodeAck(0x27))}`);
    expect(hex(encodeAck(0x26))).toBe("7e 43 26 3b 1c 7e"); // CRC-16/XMODEM of 43 26 is 0x1c3b
    expect(mote.channel("serial").slice(-2)).toEqual([
      "receive type 66 src 9 dest 65535 group 34 len 3 payload 5,126,7 data true",
      "receive type 66 src 10 dest 1 group 35 len 1 payload 8 data true",
    ]);
  });

  it("takes the frame TinyOS's own serialsend wrote, and acknowledges it as TinyOS's mote does", async () => {
    const { mote, out, runMs } = await boot(PROBE);
    runMs(100);
    const before = mote.serialOutput.length;
    // tinyos-facts.md: protocol 0x44, seq 0x26, dest 0xFFFF, src 0, length 4, group 0x22, type 0x93, payload 01 02 03 04.
    mote.serialInput(Uint8Array.from("7e 44 26 00 ff ff 00 00 04 22 93 01 02 03 04 c3 1a 7e".split(" ").map((h) => parseInt(h, 16))));
    runMs(10);
    expect(hex(out().slice(before))).toBe("7e 43 26 3b 1c 7e");
    // The same frame with one payload bit flipped fails its CRC: no ACK.
    mote.serialInput(Uint8Array.from("7e 44 26 00 ff ff 00 00 04 22 93 01 02 03 05 c3 1a 7e".split(" ").map((h) => parseInt(h, 16))));
    runMs(10);
    expect(hex(out().slice(before))).toBe("7e 43 26 3b 1c 7e");
  });

  it("cancels a frame still waiting behind an ACK: SUCCESS, then sendDone(ECANCEL), and nothing is sent", async () => {
    const { mote, out, runMs } = await boot(PROBE);
    runMs(100);
    const before = mote.serialOutput.length;
    mote.serialInput(encodeAmFrame({ type: 0x42, payload: Uint8Array.of(0xcc) }, 0x31));
    runMs(10);
    expect(mote.channel("serial").slice(-3)).toEqual([
      "sendA in receive 0",
      "cancelA in receive 0",
      "sendDoneA true 3 type 66 dest 1 len 1",
    ]);
    expect(hex(out().slice(before))).toBe(hex(encodeAck(0x31)));
  });

  it("acknowledges packets nobody receives and packets without a sequence number get no ACK", async () => {
    const { mote, out, runMs } = await boot(PROBE);
    runMs(100);
    const before = mote.serialOutput.length;
    mote.serialInput(encodeAmFrame({ type: 0x99, payload: Uint8Array.of(1) }, 5)); // no receiver: the default returns the buffer
    mote.serialInput(encodeAmFrame({ type: 0x42, payload: Uint8Array.of(2) })); // 0x45: delivered, not acknowledged
    runMs(10);
    expect(hex(out().slice(before))).toBe(hex(encodeAck(5)));
    expect(mote.channel("serial").at(-1)).toBe("receive type 66 src 0 dest 65535 group 34 len 1 payload 2 data true");
  });

  it("drops malformed frames without harm and still takes the next one", async () => {
    const { mote, out, runMs } = await boot(PROBE);
    runMs(100);
    const before = mote.serialOutput.length;
    const bad = encodeAmFrame({ type: 0x42, payload: Uint8Array.of(1) }, 1);
    bad[bad.length - 2]! ^= 1;
    mote.serialInput(bad); // bad CRC: no ACK
    mote.serialInput(encodeAmFrame({ type: 0x42, payload: new Uint8Array(29) }, 2)); // longer than message_t: dropped, no ACK
    mote.serialInput(Uint8Array.of(0x7e, 0x44, 0x7d, 0x7e)); // escape before a flag
    mote.serialInput(encodeAmFrame({ type: 0x42, payload: Uint8Array.of(3) }, 3));
    runMs(10);
    expect(hex(out().slice(before))).toBe(hex(encodeAck(3)));
    expect(mote.channel("serial").at(-1)).toBe("receive type 66 src 0 dest 65535 group 34 len 1 payload 3 data true");
  });
});

describe("the mote's deframer counts every malformed frame it drops", () => {
  const DROPS = "test/fixtures/serial/SerialDropsAppC.ts";
  /** A good 0x44 frame of AM type 0x42 whose payload's first byte (and sequence number) is `k`. */
  const good = (k: number) => encodeAmFrame({ type: 0x42, payload: Uint8Array.of(k, 0) }, k);
  const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
  const badCrc = () => {
    const b = good(0x21);
    b[b.length - 2]! ^= 1;
    return b;
  };
  // Each malformed input, the counters it must raise, then a good frame that must still be delivered and acknowledged.
  const cases: [string, Uint8Array, Partial<Record<(typeof DROP_REASON_NAMES)[number], number>>][] = [
    ["bad CRC", badCrc(), { badCrc: 1 }],
    // Without its closing flag a frame runs into the next: one frame, whose CRC fails (the second is lost with it).
    ["missing flag", concat(good(0x22).subarray(0, -1), good(0x23).subarray(1)), { badCrc: 1 }],
    // An escape and then a flag: dropped, and that flag opens the good frame after it.
    ["escape before a flag", Uint8Array.of(0x7e, 0x44, 0x7d), { escapeError: 1 }],
    ["oversize", concat(Uint8Array.of(0x7e, 0x45), new Uint8Array(100).fill(0x11), Uint8Array.of(0x7e)), { tooLong: 1 }],
    // A payload one byte over TOSH_DATA_LENGTH overflows the mote's frame buffer too.
    ["payload over TOSH_DATA_LENGTH", encodeAmFrame({ type: 0x42, payload: new Uint8Array(29) }, 0x24), { tooLong: 1 }],
    ["unknown protocol", concat(encodeFrame(0xff, -1, Uint8Array.of(0, 0xff, 0xff, 0, 0, 0, 0x22, 0x42)), encodeFrame(0x46, -1, Uint8Array.of(0))), { unknownProtocol: 2 }],
    [
      "truncated",
      concat(
        Uint8Array.of(0x7e, 0x45, 0x7e), // no room for a CRC
        encodeFrame(0x44, 1, new Uint8Array(0)), // a sequence byte but no dispatch byte
        encodeFrame(0x45, -1, Uint8Array.of(0, 0xff, 0xff, 0, 0)), // half an AM header
        encodeFrame(0x45, -1, Uint8Array.of(0, 0xff, 0xff, 0, 0, 5, 0x22, 0x42, 1, 2)), // says 5 payload bytes, has 2
      ),
      { truncated: 4 },
    ],
    ["unknown dispatch", encodeFrame(0x45, -1, Uint8Array.of(2, 0xff, 0xff, 0, 0, 0, 0x22, 0x42)), { unknownDispatch: 1 }],
  ];

  it("each kind is dropped without an ACK and counted by its reason; the next good frame is delivered and acknowledged", async () => {
    const { mote, out, runMs } = await boot(DROPS);
    runMs(100);
    const counts = DROP_REASON_NAMES.map(() => 0);
    let k = 1;
    for (const [name, bytes, raised] of cases) {
      const before = mote.serialOutput.length;
      mote.serialInput(bytes);
      mote.serialInput(good(k));
      runMs(30); // 115200 baud: about 11 bytes a millisecond
      for (const [reason, n] of Object.entries(raised)) counts[DROP_REASON_NAMES.indexOf(reason as (typeof DROP_REASON_NAMES)[number])]! += n;
      expect([name, mote.channel("serial").at(-1)]).toEqual([name, `receive ${k} drops ${counts.join(" ")}`]);
      expect([name, hex(out().slice(before))]).toEqual([name, hex(encodeAck(k))]);
      k++;
    }
    // Only the good frames were delivered; and the cases above raise each of the six reasons (so a
    // reason the mote never counts would have shown in the comparison of its counters).
    expect(mote.channel("serial")).toHaveLength(cases.length);
    expect(counts.slice(0, 6).every((n) => n > 0)).toBe(true);
  });
});

describe("TestSerial", () => {
  const registry = new MessageRegistry([TestSerialMsg]);

  it("sends its counter once a second; the PC decodes 1, 2, 3, ...", async () => {
    const { mote, writes, runMs } = await boot(TEST_SERIAL);
    runMs(10_000);
    expect(writes.map((w) => w.timeMs)).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
    const { packets } = decodeSerialStream(mote.serialOutput);
    expect(packets.map((p) => registry.decode(p)?.value)).toEqual(Array.from({ length: 10 }, (_, i) => ({ counter: i + 1 })));
    expect(packets.every((p) => p.type === 0x89 && p.dest === 0xffff && p.payload.length === 2)).toBe(true);
  });

  it("shows the low three bits of the counters the PC sends on its LEDs", async () => {
    const { mote, runMs } = await boot(TEST_SERIAL);
    runMs(1500);
    const writer = new SerialWriter();
    for (const counter of [5, 2, 0x1237]) {
      mote.serialInput(writer.message(TestSerialMsg, { counter }).bytes);
      runMs(5); // 16 bytes at 115200 baud
      expect(mote.leds).toBe(counter & 7);
    }
    // A packet of the wrong length leaves them alone.
    mote.serialInput(encodeAmFrame({ type: 0x89, payload: Uint8Array.of(1, 2, 3) }, 9));
    runMs(5);
    expect(mote.leds).toBe(7);
  });
});

describe("on the XS engine", () => {
  it("the serial stack allocates nothing in steady state: sends, receives and ACKs keep the heap flat", async () => {
    const report = await buildApp(TEST_SERIAL);
    const writer = new SerialWriter();
    const frames = [0, 1, 2, 3, 4, 5, 6, 7].map((counter) => `new Uint8Array([${writer.message(TestSerialMsg, { counter }).bytes.join(",")}])`);
    // The bench host, with a UART: each event is a send finishing, a PC packet arriving, or the timer.
    const uartHost = `
      var uartDone, uartRx, uartPending = false, uartBytes = 0, rxIndex = 0;
      var rxFrames = [${frames.join(",")}];
      benchHost.uartSend = function (b, n) { uartBytes += n; uartPending = true; };
      benchHost.onUartSendDone = function (f) { uartDone = f; };
      benchHost.onUartReceive = function (f) { uartRx = f; };
      function runEvents(n) {
        for (var i = 0; i < n; i++) {
          if (uartPending) { uartPending = false; uartDone(); continue; }
          if (i % 3 === 0) {
            var f = rxFrames[rxIndex];
            rxIndex = (rxIndex + 1) & 7;
            for (var j = 0; j < f.length; j++) uartRx(f[j]);
            continue;
          }
          benchArmed = false; benchTime = benchAlarmAt; benchInterrupt();
        }
        return benchToggles;
      }`;
    const cost = await eventCostOnXs(`${report.image}\n${uartHost}`, "mote(benchHost)", 30_000);
    expect(cost.toggles).toBeGreaterThan(1000); // the PC's counters reached the LEDs
    expect(cost.heapGrowth).toBe(0);
  });
});
