/**
 * A sniffer's radio, as TinyOS's apps/BaseStation is built
 * (`-DCC2420_NO_ADDRESS_RECOGNITION -DCC2420_NO_ACKNOWLEDGEMENTS`): the
 * configuration declares the flags, the build passes them to the sim radio
 * HAL, which sets the mote's radio as it boots. Without address recognition
 * the mote hears unicast frames meant for others (they reach Snoop, and a
 * BaseStation's serial port); without acknowledgements it acknowledges
 * nothing. Every other mote keeps filtering by address and acknowledging.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AM_CTP_DATA, CtpDataHeader } from "../components/collection/Ctp.ts";
import { radioFlagDefines, ROOT } from "../tools/build/build.ts";
import { BuildError } from "../tools/build/diagnostics.ts";
import { decodeSerialStream } from "../tools/serial/index.ts";
import { World } from "../tools/sim/World.ts";
import { F_ACK, OP_SEND } from "./fixtures/am/AmCommandMsg.ts";
import { probeWorld } from "./fixtures/am/probeWorld.ts";
import { buildApp, imageOf } from "./support.ts";

const SNIFFER = 0;

/** µs mote `id` has had frames (acknowledgements included) on the air; the model's zero is -0. */
const onAir = (world: World, id: number) => world.mote(id).radio!.txUs + 0;

/** Probe motes 2 (sender), 3 (addressee) and 4 (a bystander), all in range of each other and of a BaseStationAppC sniffer. */
async function sniffedProbes() {
  const probes = await probeWorld([2, 3, 4], [[2, 3], [2, 4], [3, 4]]);
  const { world } = probes;
  world.addMote({ id: SNIFFER, image: await imageOf("BaseStationAppC"), bootAtMs: world.nowMs });
  for (const id of [2, 3, 4]) world.setLink(SNIFFER, id, -50);
  world.runFor(10);
  /** Mote 2 sends `count` packets of AM type 0x42 to `dest`, asking for acknowledgements, 50 ms apart. */
  const send = (dest: number, count: number) => {
    for (let i = 0; i < count; i++) {
      probes.command(2, OP_SEND, { dest, len: 3, flags: F_ACK });
      world.runFor(50);
    }
  };
  const sniffed = () => decodeSerialStream(world.serialOutput(SNIFFER)).packets.map(({ dest, src, type, payload }) => ({ dest, src, type, payload: [...payload] }));
  const sendDones = () => probes.since(2).filter((l) => l.startsWith("sendDone"));
  return { ...probes, send, sniffed, sendDones };
}

describe("a sniffer's radio (CC2420_NO_ADDRESS_RECOGNITION, CC2420_NO_ACKNOWLEDGEMENTS)", () => {
  it("BaseStationAppC puts on its serial port the unicast packets two other motes exchange, and only the addressee acknowledges them", async () => {
    const { world, send, sniffed, sendDones, since } = await sniffedProbes();
    send(3, 4);
    expect(sniffed()).toEqual([0, 1, 2, 3].map((n) => ({ dest: 3, src: 2, type: 0x42, payload: [0, n, 2] })));
    expect(sendDones()).toEqual(Array(4).fill("sendDone0 0 first acked true type 66 dest 3 src 2 len 3"));
    expect(since(3).filter((l) => l.startsWith("receive"))).toHaveLength(4);
    // The sniffer sent nothing on the air, acknowledgements included; it heard the four as a sniffer.
    expect(onAir(world, SNIFFER)).toBe(0);
    expect(world.mote(SNIFFER).counters).toMatchObject({ received: 4, overheard: 4 });
    // A mote built without the flags still filters by address: its Snoop (0x42) hears nothing.
    expect(since(4).filter((l) => l.startsWith("snoop"))).toEqual([]);
    expect(world.mote(4).counters.overheard).toBe(0);
    expect(world.mote(3).counters.overheard).toBe(0);
  });

  it("a send to a mote that is off goes unacknowledged, though the sniffer heard it", async () => {
    const { world, send, sniffed, sendDones } = await sniffedProbes();
    world.turnOff(3);
    send(3, 1);
    expect(sendDones()).toEqual(["sendDone0 0 first acked false type 66 dest 3 src 2 len 3"]);
    const sender = world.mote(2).counters;
    expect(sender.transmissions).toBe(1 + world.medium.options.maxRetries);
    expect(sender.noAck).toBe(1);
    // Heard once: the retransmissions are recognised as duplicates.
    expect(sniffed()).toEqual([{ dest: 3, src: 2, type: 0x42, payload: [0, 0, 2] }]);
    expect(world.mote(SNIFFER).counters.duplicates).toBe(world.medium.options.maxRetries);
    expect(onAir(world, SNIFFER)).toBe(0);
  });

  it("each setting on its own: without address recognition but with acknowledgements, a mote snoops frames for others and acknowledges only its own", async () => {
    const { world, send, sendDones, since } = await sniffedProbes();
    world.mote(4).radio!.configure(false, true); // the bystander, as if built with CC2420_NO_ADDRESS_RECOGNITION alone
    world.turnOff(3);
    send(3, 1);
    send(4, 1);
    expect(sendDones()).toEqual([
      "sendDone0 0 first acked false type 66 dest 3 src 2 len 3",
      "sendDone0 0 first acked true type 66 dest 4 src 2 len 3",
    ]);
    expect(since(4).filter((l) => /^(snoop|receive)/.test(l)).map((l) => l.split(" len")[0])).toEqual([
      "snoop type 66 src 2 dest 3 group 34 forMe false",
      "receive type 66 src 2 dest 4 group 34 forMe true",
    ]);
  });

  it("the setting is the image's: gone while the power is off, set again as the mote boots", async () => {
    const { world, send, sniffed } = await sniffedProbes();
    const radio = world.mote(SNIFFER).radio!;
    expect([radio.addressRecognition, radio.autoAck]).toEqual([false, false]);
    expect([world.mote(3).radio!.addressRecognition, world.mote(3).radio!.autoAck]).toEqual([true, true]);
    world.turnOff(SNIFFER);
    expect([radio.addressRecognition, radio.autoAck]).toEqual([true, true]);
    world.turnOn(SNIFFER);
    world.runFor(10);
    expect([radio.addressRecognition, radio.autoAck]).toEqual([false, false]);
    send(3, 1);
    expect(sniffed()).toEqual([{ dest: 3, src: 2, type: 0x42, payload: [0, 0, 2] }]);
  });

  it("in a MultihopOscilloscope network, it puts each mote's CTP data frames to its parent on its serial port, and acknowledges none", async () => {
    // A line 3 -> 2 -> 1 -> 0 (the root: id % 500 == 0); the sniffer hears everyone.
    const world = new World({ seed: 3, keepDebug: false });
    const app = await imageOf("MultihopOscilloscopeAppC");
    for (let id = 0; id <= 3; id++) world.addMote({ id, image: app, bootAtMs: id * 37 });
    world.addMote({ id: 100, image: await imageOf("BaseStationAppC"), bootAtMs: 0 });
    const strong = world.medium.options.noiseMeanDbm + 30;
    for (let id = 1; id <= 3; id++) world.setLink(id, id - 1, strong);
    for (let id = 0; id <= 3; id++) world.setLink(id, 100, strong);
    world.runUntil(40_000);
    const data = decodeSerialStream(world.serialOutput(100)).packets.filter((p) => p.type === AM_CTP_DATA);
    const hops = new Set(data.map((p) => `${p.src}->${p.dest} origin ${CtpDataHeader.get.origin(p.payload)}`));
    // Each mote's own readings, and the readings it forwards, go to its parent.
    expect([...hops].sort()).toEqual(["1->0 origin 1", "1->0 origin 2", "1->0 origin 3", "2->1 origin 2", "2->1 origin 3", "3->2 origin 3"]);
    // Only the parents acknowledged: each mote's data sends were acknowledged, the sniffer sent nothing.
    expect(onAir(world, 100)).toBe(0);
    for (let id = 1; id <= 3; id++) expect(world.mote(id).counters.acked).toBeGreaterThan(0);
    // Every unicast frame it took in was a CTP data frame, and each reached the serial port.
    expect(world.mote(100).counters.overheard).toBe(data.length);
  });
});

describe("the radio flags in the build", () => {
  it("are read from the configuration, as TinyOS's Makefile CFLAGS: BaseStationAppC declares both, other applications none", async () => {
    expect(radioFlagDefines(path.join(ROOT, "configurations/BaseStationAppC.ts"))).toEqual({
      MOTE_CC2420_NO_ADDRESS_RECOGNITION: "true",
      MOTE_CC2420_NO_ACKNOWLEDGEMENTS: "true",
    });
    expect(radioFlagDefines(path.join(ROOT, "configurations/RadioCountToLedsAppC.ts"))).toEqual({
      MOTE_CC2420_NO_ADDRESS_RECOGNITION: "false",
      MOTE_CC2420_NO_ACKNOWLEDGEMENTS: "false",
    });
    // An image built without them has no trace of the setting; the sniffer's sets its radio as it starts.
    expect((await buildApp("RadioCountToLedsAppC")).image).not.toContain("radioConfigure");
    expect((await buildApp("BaseStationAppC")).image).toContain("radioConfigure");
  });

  it("refuses a value that is not true or false written out, naming the flag and where", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mote-flags-"));
    try {
      const file = path.join(dir, "OddAppC.ts");
      writeFileSync(file, `// a sniffer\nexport const CC2420_NO_ADDRESS_RECOGNITION = true;\nexport const CC2420_NO_ACKNOWLEDGEMENTS = 1;\n`);
      let error: unknown;
      try {
        radioFlagDefines(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BuildError);
      const [d] = (error as BuildError).diagnostics;
      expect(d!.message).toMatch(/^CC2420_NO_ACKNOWLEDGEMENTS must be `true' or `false'.*got `1'/);
      expect(d!.location).toEqual({ file, line: 3, column: 43 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
