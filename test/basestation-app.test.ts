/**
 * BaseStationAppC, as TinyOS's apps/BaseStation: how a PC talks to a radio
 * network. End to end in the simulator: an Oscilloscope mote's radio
 * packets come out of the BaseStation mote's serial port as TinyOS serial
 * frames that tools/serial decodes, and the PC's packets written into that
 * port (0x44 with a sequence number, acknowledged with 0x43) go out on the
 * radio.
 */
import { describe, expect, it } from "vitest";
import { OscilloscopeMsg, type OscilloscopeReading } from "../components/apps/OscilloscopeMsg.ts";
import { emptyMessage } from "../components/message/MessageCodec.ts";
import { World } from "../tools/sim/World.ts";
import { type AmPacket, decodeSerialStream, encodeAck, MessageRegistry, SerialReader, SerialWriter } from "../tools/serial/index.ts";
import { eventCostOnXs } from "../tools/xs/moteOnXs.ts";
import { PROBE } from "./fixtures/am/probeWorld.ts";
import { buildApp, imageOf } from "./support.ts";

const BASE = 0;
const registry = new MessageRegistry([OscilloscopeMsg]);

/** A BaseStation mote (id 0) and a PC reading its serial port as it is written. */
async function network(seed = 11) {
  const world = new World({ seed, keepLedTrace: true });
  world.addMote({ id: BASE, image: await imageOf("BaseStationAppC"), bootAtMs: 0 });
  const fromMote: { timeMs: number; packet: AmPacket }[] = [];
  const acks: number[] = [];
  const reader = new SerialReader({
    onPacket: (packet) => fromMote.push({ timeMs: world.nowMs, packet }),
    onAck: (seq) => acks.push(seq),
  });
  world.onSerial(BASE, (bytes) => reader.push(bytes));
  const writer = new SerialWriter(0x26);
  const leds = (led: number) => world.mote(BASE).ledTrace.filter((c) => c.led === led).length;
  return { world, fromMote, acks, reader, writer, leds };
}

const oscilloscopes = (packets: { packet: AmPacket }[]) =>
  packets.map((p) => registry.decode(p.packet)).filter((t) => t !== undefined).map((t) => ({ src: t.packet.src, ...(t.value as OscilloscopeReading) }));

describe("BaseStationAppC", () => {
  it("an Oscilloscope mote's radio packets come out of the serial port as TinyOS frames with the radio source and group", async () => {
    const { world, fromMote, reader, leds } = await network();
    world.addMote({ id: 5, image: await imageOf("OscilloscopeAppC"), bootAtMs: 0 });
    world.addMote({ id: 6, image: await imageOf("OscilloscopeAppC"), bootAtMs: 300 });
    world.setLink(BASE, 5, -50);
    world.setLink(BASE, 6, -50);
    world.setSensor(0, (t, mote) => mote.nodeId * 1000 + Math.round(t * 10));
    world.runUntil(6000);
    const from5 = fromMote.filter((p) => p.packet.src === 5);
    expect(from5.map((p) => p.packet)).toEqual([0, 1].map(() => expect.objectContaining({ dest: 0xffff, src: 5, group: 0x22, type: 0x93, protocol: 0x45, seq: -1 })));
    expect(from5.every((p) => p.packet.payload.length === 28)).toBe(true);
    expect(oscilloscopes(fromMote)).toEqual([
      { src: 5, version: 0, interval: 256, id: 5, count: 0, readings: Array.from({ length: 10 }, (_, i) => 5000 + Math.round((i + 1) * 2.56)) },
      { src: 6, version: 0, interval: 256, id: 6, count: 0, readings: Array.from({ length: 10 }, (_, i) => 6000 + Math.round(3 + (i + 1) * 2.56)) },
      expect.objectContaining({ src: 5, id: 5, count: 1 }),
      expect.objectContaining({ src: 6, id: 6, count: 1 }),
    ]);
    // Each frame leaves as soon as its packet is heard: within the sender's backoff and the frame's time on the wire.
    expect(fromMote[0]!.timeMs).toBeGreaterThan(2816);
    expect(fromMote[0]!.timeMs).toBeLessThan(2816 + 20);
    // The byte stream is clean; one LED 1 toggle per frame to the PC, no drops (LED 2), nothing sent on the radio (LED 0).
    expect(reader.stats.frames).toBe(4);
    expect(Object.values(reader.stats.dropped).every((n) => n === 0)).toBe(true);
    expect([leds(0), leds(1), leds(2)]).toEqual([0, 4, 0]);
  });

  it("a PC packet with a newer version, written into its serial port, is acknowledged and changes the Oscilloscope mote's interval", async () => {
    const { world, fromMote, acks, writer, leds } = await network();
    world.addMote({ id: 5, image: await imageOf("OscilloscopeAppC"), bootAtMs: 0 });
    world.setLink(BASE, 5, -50);
    world.runUntil(3000);
    // What TinyOS's Oscilloscope.java does: version + 1, the new interval, broadcast.
    const frame = writer.message(OscilloscopeMsg, { ...emptyMessage(OscilloscopeMsg), version: 1, interval: 100 });
    expect(frame.seq).toBe(0x26);
    world.serialWrite(BASE, frame.bytes);
    world.runUntil(3020);
    expect(acks).toEqual([0x26]);
    expect(world.serialOutput(BASE).subarray(-6)).toEqual(encodeAck(0x26));
    expect(leds(0)).toBe(1); // one radio send
    world.runUntil(6500);
    const heard = oscilloscopes(fromMote);
    expect(heard.map((h) => [h.version, h.interval, h.count])).toEqual([
      [0, 256, 0],
      [1, 100, 1],
      [1, 100, 2],
      [1, 100, 3],
    ]);
    // The mote restarted its timer when the packet arrived (after the frame's 4 ms on the wire and the base
    // station's radio backoff, up to 10 ms); 11 ticks of 100 ms later it sent (after its own backoff).
    const changedAt = fromMote[1]!.timeMs - 1100;
    expect(changedAt).toBeGreaterThan(3004);
    expect(changedAt).toBeLessThan(3030);
    const period = fromMote[2]!.timeMs - fromMote[1]!.timeMs; // ten ticks, give or take the radio's backoff
    expect(Math.abs(period - 1000)).toBeLessThan(15);
  });

  // Overheard over the air, from two other motes' exchange and a CTP network: test/sim-sniffer.test.ts.
  it("bridges every AM type, received or overheard, radio to serial, with the header as it was on the air", async () => {
    const { world, fromMote } = await network();
    world.runUntil(10);
    world.inject(BASE, { src: 7, dest: 0xffff, type: 6, payload: [0, 5] }); // RadioCountMsg
    world.inject(BASE, { src: 8, dest: 3, type: 0x42, payload: [1, 2, 3] }); // a unicast for node 3, snooped
    world.inject(BASE, { src: 9, dest: BASE, type: 0xff, payload: [] }); // for the base station itself
    world.inject(BASE, { src: 0x1234, dest: 0xfffe, type: 0x00, payload: new Array(28).fill(0x7e) }); // escaped on the wire
    world.inject(BASE, { src: 10, dest: 0xffff, type: 6, group: 0x23, payload: [1] }); // another group: not ours
    world.runUntil(50);
    expect(fromMote.map((p) => p.packet)).toEqual([
      { dest: 0xffff, src: 7, group: 0x22, type: 6, payload: Uint8Array.of(0, 5), protocol: 0x45, seq: -1 },
      { dest: 3, src: 8, group: 0x22, type: 0x42, payload: Uint8Array.of(1, 2, 3), protocol: 0x45, seq: -1 },
      { dest: BASE, src: 9, group: 0x22, type: 0xff, payload: new Uint8Array(0), protocol: 0x45, seq: -1 },
      { dest: 0xfffe, src: 0x1234, group: 0x22, type: 0, payload: new Uint8Array(28).fill(0x7e), protocol: 0x45, seq: -1 },
    ]);
  });

  it("bridges every AM type serial to radio, to the PC's destination, from the base station's address", async () => {
    const { world, acks, writer } = await network();
    const probe = await imageOf(PROBE); // logs what it receives of types 0x42 and 0x43, and snoops 0x42
    world.addMote({ id: 2, image: probe, bootAtMs: 0 });
    world.addMote({ id: 3, image: probe, bootAtMs: 0 });
    world.setLink(BASE, 2, -50);
    world.setLink(BASE, 3, -50);
    world.runUntil(10);
    world.serialWrite(BASE, writer.packet({ dest: 2, src: 77, type: 0x42, payload: Uint8Array.of(1, 2, 3) }).bytes);
    world.serialWrite(BASE, writer.packet({ dest: 0xffff, type: 0x43, payload: Uint8Array.of(4) }).bytes);
    world.runUntil(200);
    expect(acks).toEqual([0x26, 0x27]);
    const received = (id: number) => world.mote(id).channel("am").filter((l) => /^(receive|snoop)/.test(l)).map((l) => l.replace(/ data true reused \w+$/, ""));
    expect(received(2)).toEqual([
      "receive type 66 src 0 dest 2 group 34 forMe true len 3 payload 1,2,3",
      "receive type 67 src 0 dest 65535 group 34 forMe true len 1 payload 4",
    ]);
    expect(received(3)).toEqual(["receive type 67 src 0 dest 65535 group 34 forMe true len 1 payload 4"]);
  });

  it("queues 12 packets radio to serial and drops the rest (LED 2) while the serial port is busy", async () => {
    const { world, fromMote, leds } = await network();
    world.runUntil(10);
    for (let i = 0; i < 20; i++) world.inject(BASE, { src: 7, dest: 0xffff, type: 0x42, payload: new Array(28).fill(i) });
    world.runUntil(500);
    expect(fromMote.map((p) => p.packet.payload[0])).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(leds(2)).toBe(8);
    expect(leds(1)).toBe(12);
    // The ring is free again: the next packets go through.
    world.inject(BASE, { src: 7, dest: 0xffff, type: 0x42, payload: [99] });
    world.runUntil(600);
    expect(fromMote.at(-1)!.packet.payload).toEqual(Uint8Array.of(99));
  });

  it("queues 12 packets serial to radio while the channel is busy, acknowledges every one, and sends the 12 when it clears", async () => {
    const { world, acks, writer, leds } = await network();
    world.addMote({ id: 2, image: await imageOf(PROBE), bootAtMs: 0 });
    world.setLink(BASE, 2, -50);
    world.runUntil(10);
    world.setNoise(BASE, -60, 0); // the base station's channel is always busy: its sends back off and fail with EBUSY
    for (let i = 0; i < 15; i++) world.serialWrite(BASE, writer.packet({ dest: 2, type: 0x42, payload: Uint8Array.of(i) }).bytes);
    world.runUntil(1000);
    expect(acks).toHaveLength(15); // the serial link acknowledges what it received, kept or not (as TinyOS's does)
    expect(world.mote(2).channel("am").filter((l) => l.startsWith("receive"))).toEqual([]);
    // LED 0: each try of the first packet (the radio takes it, then gives up with EBUSY after 33 busy
    // channel checks); LED 2: each of those failures, and the 3 packets dropped for want of room.
    const tries = leds(0);
    expect(tries).toBeGreaterThan(5);
    expect(leds(2) - 3).toBeGreaterThanOrEqual(tries - 1); // the last try may still be under way
    expect(leds(2) - 3).toBeLessThanOrEqual(tries);
    world.setNoise(BASE, -98, 1);
    world.runUntil(2000);
    const payloads = world.mote(2).channel("am").filter((l) => l.startsWith("receive")).map((l) => Number(/payload (\d+)/.exec(l)![1]));
    expect(payloads).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("its serial output is one clean frame stream that TinyOS's tools decode", async () => {
    const { world, writer } = await network();
    world.addMote({ id: 5, image: await imageOf("OscilloscopeAppC"), bootAtMs: 0 });
    world.setLink(BASE, 5, -50);
    world.runUntil(2000);
    world.serialWrite(BASE, writer.message(OscilloscopeMsg, { ...emptyMessage(OscilloscopeMsg), version: 2, interval: 50 }).bytes);
    world.runUntil(4000);
    const { packets, acks, stats } = decodeSerialStream(world.serialOutput(BASE));
    expect(acks).toEqual([0x26]);
    expect(packets.length).toBeGreaterThanOrEqual(3);
    expect(packets.every((p) => registry.decode(p)?.message === OscilloscopeMsg)).toBe(true);
    expect(stats.noise).toBe(0);
    expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
  });

  it("on the XS engine, bridging both ways allocates nothing: radio and serial packets, sends and ACKs keep the heap flat", async () => {
    const report = await buildApp("BaseStationAppC");
    const pc = new SerialWriter().message(OscilloscopeMsg, { ...emptyMessage(OscilloscopeMsg), version: 3, interval: 64 }).bytes;
    // The bench host with a radio and a UART: each event is a send finishing, or a packet arriving from the radio or the PC.
    const host = `
      var uartDone, uartRx, uartPending = false, radioDone, radioRx, radioPending = false;
      benchHost.uartSend = function (b, n) { uartPending = true; };
      benchHost.onUartSendDone = function (f) { uartDone = f; };
      benchHost.onUartReceive = function (f) { uartRx = f; };
      benchHost.radioSend = function (b, n, ack) { radioPending = true; };
      benchHost.onRadioSendDone = function (f) { radioDone = f; };
      benchHost.onRadioReceive = function (f) { radioRx = f; };
      var radioFrame = new Uint8Array([0xff, 0xff, 0, 5, 4, 0x22, 0x93, 1, 2, 3, 4]);
      var pcFrame = new Uint8Array([${pc.join(",")}]);
      function runEvents(n) {
        for (var i = 0; i < n; i++) {
          if (uartPending) { uartPending = false; uartDone(); continue; }
          if (radioPending) { radioPending = false; radioDone(0, false); continue; }
          if (i % 3 === 0) { for (var j = 0; j < pcFrame.length; j++) uartRx(pcFrame[j]); continue; }
          radioRx(radioFrame, radioFrame.length, -50);
        }
        return benchToggles;
      }`;
    const cost = await eventCostOnXs(`${report.image}\n${host}`, "mote(benchHost)", 30_000);
    expect(cost.toggles).toBeGreaterThan(5000); // LED 0 per radio send, LED 1 per serial send
    expect(cost.heapGrowth).toBe(0);
  });
});
