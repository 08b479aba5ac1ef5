/**
 * Forwarding: a real Mosquitto on loopback with a subscriber checking what
 * two base stations publish and that commands on the command topics reach
 * the motes; the SerialForwarder server against our client and a raw TCP
 * socket speaking TinyOS's protocol.
 */
import { createConnection } from "node:net";
import path from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { FakeOscilloscopeNetwork } from "./fixtures/basestation/fakeMote.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { startBaseStation } from "../tools/basestation/server.ts";
import { SfClient, sfPacket } from "../tools/basestation/sf.ts";
import { decodeSerialStream, encodeAmPacket, parseAmPacket } from "../tools/serial/index.ts";
import { MoteEnd, oscFrame, startMosquitto, tempDir, waitFor } from "./fixtures/basestation/support.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stationOn(name: string, extra: { mqtt?: string; sf?: { host: string; port: number } }) {
  const dir = tempDir(cleanups);
  const link = await PtyLink.open();
  cleanups.push(() => link.close());
  const bs = await startBaseStation({
    ports: [{ path: link.host }],
    db: path.join(dir, "readings.sqlite"),
    http: false,
    station: name,
    log: () => {},
    ack: { timeoutMs: 100, retries: 3 },
    ...extra,
  });
  cleanups.push(() => bs.close());
  const mote = await MoteEnd.open(link.mote);
  cleanups.push(() => mote.close());
  const net = new FakeOscilloscopeNetwork((b) => void mote.write(b), { motes: 0, routing: false });
  mote.onData((c) => net.receive(c));
  return { bs, mote, net };
}

describe("MQTT forwarding", () => {
  it("publishes readings and retained status from two base stations to one broker and takes commands", async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const sub: MqttClient = await connectAsync(broker.url);
    cleanups.push(() => sub.endAsync());
    const got: { topic: string; payload: Record<string, unknown>; retain: boolean }[] = [];
    sub.on("message", (topic, payload, packet) => got.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain }));
    await sub.subscribeAsync("mote/#");

    const a = await stationOn("alpha", { mqtt: broker.url });
    const b = await stationOn("beta/2", { mqtt: broker.url }); // a slash in the name becomes _
    await waitFor("both online", () =>
      ["mote/alpha/status", "mote/beta_2/status"].every((t) => got.some((g) => g.topic === t && g.payload.online === true)),
    );

    await a.mote.write(oscFrame(5, 0, { interval: 100 }));
    await b.mote.write(oscFrame(6, 0));
    await waitFor("readings", () => got.filter((g) => /^mote\/(alpha\/5|beta_2\/6)\/readings$/.test(g.topic)).length === 20);
    const r5 = got.filter((g) => g.topic === "mote/alpha/5/readings");
    expect(r5).toHaveLength(10);
    expect(r5.map((g) => g.payload.value)).toEqual(Array.from({ length: 10 }, (_, i) => 500 + i));
    expect(r5[9]!.payload).toMatchObject({ unit: "raw", message: "OscilloscopeMsg" });
    expect(Date.parse(r5[9]!.payload.time as string)).toBe(r5[9]!.payload.t);
    expect((r5[9]!.payload.t as number) - (r5[0]!.payload.t as number)).toBe(900);

    const status = await waitFor("status", () => got.find((g) => g.topic === "mote/beta_2/6/status"));
    expect(status.payload).toMatchObject({ mote: 6, packets: 1, lost: 0, status: { version: 1, interval: 256 } });
    // Retained: a subscriber that comes later still gets the status of every mote and station.
    const late: MqttClient = await connectAsync(broker.url);
    cleanups.push(() => late.endAsync());
    const retained: string[] = [];
    late.on("message", (topic, _p, packet) => packet.retain && retained.push(topic));
    await late.subscribeAsync("mote/+/+/status");
    await late.subscribeAsync("mote/+/status");
    await waitFor("retained", () => ["mote/alpha/5/status", "mote/beta_2/6/status", "mote/alpha/status", "mote/beta_2/status"].every((t) => retained.includes(t)));

    // A command for one station, then one for all.
    await sub.publishAsync("mote/alpha/command", JSON.stringify({ id: "c1", interval: 300 }));
    const result = await waitFor("result", () => got.find((g) => g.topic === "mote/alpha/command/result"));
    expect(result.payload).toMatchObject({ id: "c1", ok: true, results: [{ ok: true, attempts: 1 }] });
    expect(a.net.intervalMs).toBe(300);
    expect(b.net.commands).toHaveLength(0);
    await sub.publishAsync("mote/all/command", JSON.stringify({ interval: 400, dest: 65535 }));
    await waitFor("both motes", () => a.net.intervalMs === 400 && b.net.intervalMs === 400);
    // A bad command is answered with the parameter at fault.
    await sub.publishAsync("mote/beta_2/command", JSON.stringify({ id: 7, interval: -1 }));
    const bad = await waitFor("error", () => got.find((g) => g.topic === "mote/beta_2/command/result" && g.payload.id === 7));
    expect(bad.payload).toMatchObject({ ok: false, parameter: "interval" });

    // Stopping says so (retained), as the broker's will would if the process died.
    await a.bs.close();
    await waitFor("offline", () => got.some((g) => g.topic === "mote/alpha/status" && g.payload.online === false));
  });
});

describe("SerialForwarder server", () => {
  it("speaks TinyOS's protocol: 55 20 each way, then length-prefixed packets both ways", async () => {
    const { bs, mote, net } = await stationOn("sf", { sf: { host: "127.0.0.1", port: 0 } });
    const port = bs.sf!.port;

    // A raw socket, as TinyOS's tools connect.
    const raw = createConnection({ host: "127.0.0.1", port });
    cleanups.push(() => raw.destroy());
    let bytes = Buffer.alloc(0);
    raw.on("data", (d: Buffer) => (bytes = Buffer.concat([bytes, d])));
    await new Promise((r) => raw.once("connect", r));
    await waitFor("hello", () => bytes.length >= 2);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x55, 0x20]));
    raw.write(Buffer.from([0x55, 0x20]));

    const packets: Uint8Array[] = [];
    const client = await SfClient.connect("127.0.0.1", port, (d) => packets.push(d));
    cleanups.push(() => client.close());
    await waitFor("two clients", () => bs.sf!.clients === 2);

    // Mote -> every client, unframed, without CRC.
    await mote.write(oscFrame(3, 9));
    await waitFor("packet", () => packets.length === 1 && bytes.length >= 2 + 1 + 36);
    const p = parseAmPacket(packets[0]!);
    expect(typeof p === "number" ? p : { src: p.src, type: p.type, length: p.payload.length }).toEqual({ src: 3, type: 0x93, length: 28 });
    expect(bytes[2]).toBe(36);
    expect(Buffer.from(bytes.subarray(3, 3 + 36))).toEqual(Buffer.from(packets[0]!));

    // A client's packet -> the mote as a 0x44 frame (ACKed, with retries).
    const out = encodeAmPacket({ dest: 3, type: 0x89, payload: Uint8Array.of(0, 42) });
    raw.write(sfPacket(out));
    await waitFor("at the mote", () => net.commands.length === 1);
    expect(net.commands[0]!.packet).toMatchObject({ protocol: 0x44, dest: 3, type: 0x89 });
    expect(net.commands[0]!.acked).toBe(true);
    expect(decodeSerialStream(mote.received).packets).toHaveLength(1);
    await waitFor("acked", () => bs.station.portList()[0]!.commands.acked === 1);

    // A peer that does not speak the protocol is dropped.
    const wrong = createConnection({ host: "127.0.0.1", port });
    cleanups.push(() => wrong.destroy());
    await new Promise((r) => wrong.once("connect", r));
    wrong.resume();
    wrong.write("GET / HTTP/1.0\r\n\r\n");
    await new Promise((r) => wrong.once("close", r));
    expect(bs.sf!.clients).toBe(2);
  });
});
