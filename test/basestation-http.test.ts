/**
 * The base station's HTTP API: queries, export, the event stream, commands
 * with the token and the mote's ACK; bad input is a 400 naming the
 * parameter. A socat pty and the real serialport package between the base
 * station and a scripted mote peer (fixtures/basestation/fakeMote.ts).
 */
import { request } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeOscilloscopeNetwork } from "./fixtures/basestation/fakeMote.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { startBaseStation } from "../tools/basestation/server.ts";
import { decodeMessage, decodeSerialStream } from "../tools/serial/index.ts";
import { OscilloscopeMsg } from "../tools/basestation/messages.ts";
import { badCrcFrame, MoteEnd, oscFrame, sleep, sseClient, tempDir, waitFor } from "./fixtures/basestation/support.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(options: { dropAcks?: number; ack?: { timeoutMs?: number; retries?: number } } = {}) {
  const dir = tempDir(cleanups);
  const link = await PtyLink.open();
  cleanups.push(() => link.close());
  const bs = await startBaseStation({
    ports: [{ path: link.host }],
    db: path.join(dir, "readings.sqlite"),
    http: { host: "127.0.0.1", port: 0 },
    station: "test",
    log: () => {},
    ack: options.ack ?? { timeoutMs: 100, retries: 3 },
  });
  cleanups.push(() => bs.close());
  const mote = await MoteEnd.open(link.mote);
  cleanups.push(() => mote.close());
  const net = new FakeOscilloscopeNetwork((b) => void mote.write(b), { motes: 3, routing: false, dropAcks: options.dropAcks ?? 0 });
  mote.onData((c) => net.receive(c));
  const url = bs.http!.url;
  const get = async (p: string) => {
    const r = await fetch(url + p);
    return { status: r.status, body: (await r.json()) as any };
  };
  const post = async (body: unknown, token: string | null = bs.token, raw?: string) => {
    const r = await fetch(`${url}/api/command`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token !== null ? { Authorization: `Bearer ${token}` } : {}) },
      body: raw ?? JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  return { bs, mote, net, url, get, post, link };
}

describe("base station HTTP API", () => {
  it("serves motes, latest readings, history, packets, statistics, the tree and exports", async () => {
    const { bs, mote, get, url, link } = await rig();
    await mote.write(Buffer.concat([oscFrame(1, 0), oscFrame(2, 0), oscFrame(1, 1), oscFrame(1, 3)]));
    await waitFor("stored", () => bs.station.storage.packetCount === 4);

    const motes = await get("/api/motes");
    expect(motes.status).toBe(200);
    expect(motes.body.map((m: { mote: number }) => m.mote)).toEqual([1, 2]);
    expect((await get("/api/motes/1")).body).toMatchObject({ mote: 1, packets: 3, lost: 1, port: link.host, crcErrors: 0 });
    expect((await get("/api/motes/44")).status).toBe(404);

    const latest = await get("/api/latest?mote=1");
    expect(latest.body).toEqual([expect.objectContaining({ mote: 1, field: "readings", unit: "raw", value: 139, message: "OscilloscopeMsg" })]);

    const history = await get("/api/history?mote=1&field=readings&from=-1h&to=now&limit=25");
    expect(history.status).toBe(200);
    const points = history.body.points as unknown as [number, number][];
    expect(points).toHaveLength(25);
    expect(points.at(-1)![1]).toBe(139);

    const packets = await get("/api/packets?mote=1&limit=2");
    expect(packets.body).toHaveLength(2);
    expect(packets.body[0]).toMatchObject({ mote: 1, type: 0x93, seq: 3, message: "OscilloscopeMsg", decoded: { count: 3, id: 1 } });
    expect(packets.body[0].raw).toMatch(/^00ffff00011c2293/);

    const stats = await get("/api/stats");
    expect(stats.body).toMatchObject({ station: "test", motes: 2, storage: { packets: 4, readings: 40 } });
    expect((await get("/api/tree")).body).toMatchObject({ roots: [] });
    expect((await get("/api/messages")).body.map((m: { name: string }) => m.name)).toContain("OscilloscopeMsg");

    const csv = await (await fetch(`${url}/api/export.csv?mote=2`)).text();
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("time,time_ms,mote,message,field,unit,value");
    expect(lines).toHaveLength(11);
    expect(lines[10]).toMatch(/^\d{4}-\d\d-\d\dT[^,]+Z,\d+,2,OscilloscopeMsg,readings,raw,209$/);
    const exported = (await (await fetch(`${url}/api/export.json?field=readings`)).json()) as { mote: number; value: number }[];
    expect(exported).toHaveLength(40);
    expect(exported.every((r, i) => i === 0 || (r as unknown as { t: number }).t >= (exported[i - 1] as unknown as { t: number }).t)).toBe(true);
  });

  it("refuses bad parameters with 400 and a JSON error naming the parameter", async () => {
    const { get, mote, bs, url } = await rig();
    await mote.write(oscFrame(1, 0));
    await waitFor("stored", () => bs.station.storage.packetCount === 1);
    const cases: [string, string][] = [
      ["/api/history?field=readings", "mote"],
      ["/api/history?mote=abc&field=readings", "mote"],
      ["/api/history?mote=70000&field=readings", "mote"],
      ["/api/history?mote=1", "field"],
      ["/api/history?mote=1&field=nosuch", "field"],
      ["/api/history?mote=1&field=readings&from=yesterday", "from"],
      ["/api/history?mote=1&field=readings&from=-1h&to=-2h", "from"],
      ["/api/history?mote=1&field=readings&limit=0", "limit"],
      ["/api/history?mote=1&mote=2&field=readings", "mote"],
      ["/api/history?mote=1&field=readings&colour=red", "colour"],
      ["/api/packets?type=300", "type"],
      ["/api/latest?mote=-1", "mote"],
      ["/api/export.csv?message=Nope", "message"],
      ["/api/motes/abc", "mote"],
      ["/api/stats?x=1", "x"],
    ];
    for (const [p, parameter] of cases) {
      const r = await get(p);
      expect([p, r.status, r.body.parameter]).toEqual([p, 400, parameter]);
      expect(typeof r.body.error).toBe("string");
    }
    expect((await get("/api/nothing")).status).toBe(404);
    // Only loopback host names while bound to loopback (no DNS rebinding).
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      const req = request({ host: u.hostname, port: u.port, path: "/api/motes", headers: { Host: "evil.example:80" } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it("needs the token for commands (401), validates them (400) and reports the mote's ACK", async () => {
    const { post, net, mote, bs } = await rig();
    expect((await post({ interval: 512 }, null)).status).toBe(401);
    const wrong = await post({ interval: 512 }, "not-the-token");
    expect([wrong.status, wrong.body.parameter]).toEqual([401, "token"]);

    const bad: [unknown, string, string?][] = [
      [{ interval: 0 }, "interval"],
      [{ interval: "fast" }, "interval"],
      [{ interval: 512, dest: 70000 }, "dest"],
      [{ interval: 512, port: "/dev/nothing" }, "port"],
      [{ interval: 512, speed: 1 }, "speed"],
      [{}, "interval"],
      [{ interval: 5, message: "OscilloscopeMsg" }, "message"],
      [{ message: "NoSuchMsg" }, "message"],
      [{ message: "OscilloscopeMsg", fields: { interval: 70000 } }, "fields"],
      [{ message: "OscilloscopeMsg", fields: { colour: 1 } }, "fields"],
      [{ type: 1, payload: "xyz" }, "payload"],
      [[1, 2], "body"],
      [null, "body", "{not json"],
    ];
    for (const [body, parameter, raw] of bad) {
      const r = await post(body, bs.token, raw);
      expect([raw ?? JSON.stringify(body), r.status, r.body.parameter]).toEqual([raw ?? JSON.stringify(body), 400, parameter]);
    }

    // Valid: the peer's motes ACK and adopt the new interval.
    const ok = await post({ interval: 333 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ description: "OscilloscopeMsg interval 333 ms (version 1)", results: [{ ok: true, attempts: 1 }] });
    expect(net.intervalMs).toBe(333);
    // What reached the mote's end of the pty: a 0x44 frame with the message.
    const cmd = net.commands.at(-1)!;
    expect(cmd.packet.protocol).toBe(0x44);
    expect(cmd.packet.seq).toBe((ok.body.results as { seq: number }[])[0]!.seq);
    expect(decodeMessage(OscilloscopeMsg, cmd.packet.payload)).toMatchObject({ version: 1, interval: 333 });
    expect(mote.received.length).toBeGreaterThan(0);
  });

  it("retries until the ACK comes and answers 504 when it never does", async () => {
    const { post, net, bs } = await rig({ dropAcks: 2, ack: { timeoutMs: 80, retries: 2 } });
    const first = await post({ interval: 400 });
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([expect.objectContaining({ ok: true, attempts: 3 })]);
    // The same sequence number on every try.
    expect(new Set(net.commands.map((c) => c.packet.seq)).size).toBe(1);
    expect(net.commands).toHaveLength(3);

    // A mote that never answers.
    (net as unknown as { dropAcks: number }).dropAcks = 100;
    const failed = await post({ interval: 500 });
    expect(failed.status).toBe(504);
    expect(failed.body.results).toEqual([expect.objectContaining({ ok: false, attempts: 3, error: expect.stringMatching(/no ACK after 3 tries/) })]);
    expect(bs.station.portList()[0]!.commands).toMatchObject({ sent: 2, acked: 1, failed: 1, frames: 6 });
  });

  it("streams readings to the dashboard as server-sent events once stored", async () => {
    const { url, mote } = await rig();
    const sse = await sseClient(`${url}/api/events`);
    cleanups.push(() => sse.close());
    await waitFor("hello", () => sse.events.some((e) => e.event === "hello"));
    await mote.write(oscFrame(7, 0));
    const ev = await waitFor("readings", () => sse.events.find((e) => e.event === "readings"));
    expect(ev.data).toMatchObject({ committed: 1, series: [{ mote: 7, field: "readings", unit: "raw", message: "OscilloscopeMsg" }] });
    expect((ev.data as { series: { points: unknown[] }[] }).series[0]!.points).toHaveLength(10);
    await waitFor("motes", () => sse.events.find((e) => e.event === "motes"));
  });
});

describe("per-mote CRC errors and last seen", () => {
  it("counts a port's bad-CRC frames for the motes heard on it, whatever id a bad frame claims; lastSeen moves on", async () => {
    const dir = tempDir(cleanups);
    const a = await PtyLink.open();
    cleanups.push(() => a.close());
    const b = await PtyLink.open();
    cleanups.push(() => b.close());
    const bs = await startBaseStation({ ports: [{ path: a.host }, { path: b.host }], db: path.join(dir, "r.sqlite"), http: { host: "127.0.0.1", port: 0 }, log: () => {} });
    cleanups.push(() => bs.close());
    const moteA = await MoteEnd.open(a.mote);
    cleanups.push(() => moteA.close());
    const moteB = await MoteEnd.open(b.mote);
    cleanups.push(() => moteB.close());
    type Mote = { mote: number; port: string; packets: number; crcErrors: number; firstSeen: number; lastSeen: number };
    type Stats = { ports: { path: string; serial: { packets: number; dropped: Record<string, number> } }[] };
    const get = async <T>(p: string) => (await (await fetch(bs.http!.url + p)).json()) as T;

    await moteA.write(oscFrame(1, 0));
    await moteB.write(oscFrame(2, 0));
    await waitFor("a packet from each mote", () => bs.station.storage.packetCount === 2);
    const before = await get<Mote[]>("/api/motes");
    expect(before.map((m) => [m.mote, m.port, m.crcErrors])).toEqual([
      [1, a.host, 0],
      [2, b.host, 0],
    ]);

    // Three frames on port a that fail their CRC, two claiming to be mote 2's:
    // a frame that fails its CRC says nothing trustworthy about its sender,
    // so the errors count against the port, and so for the motes heard on it.
    const bad = [badCrcFrame(1, 1), badCrcFrame(2, 1), badCrcFrame(2, 2)];
    for (const f of bad) expect(decodeSerialStream(f)).toMatchObject({ packets: [], stats: { dropped: { badCrc: 1 } } });
    await sleep(5); // lastSeen has millisecond resolution
    await moteA.write(Buffer.concat([...bad, oscFrame(1, 1)]));
    await moteB.write(oscFrame(2, 1));
    await waitFor("the good frames", () => bs.station.storage.packetCount === 4);

    const after = await get<Mote[]>("/api/motes");
    expect(after.map((m) => [m.mote, m.packets, m.crcErrors])).toEqual([
      [1, 2, 3],
      [2, 2, 0],
    ]);
    expect(await get<Mote>("/api/motes/1")).toMatchObject({ crcErrors: 3, port: a.host });
    const stats = await get<Stats>("/api/stats");
    expect(stats.ports.map((p) => [p.path, p.serial.packets, p.serial.dropped.badCrc])).toEqual([
      [a.host, 2, 3],
      [b.host, 2, 0],
    ]);
    for (const m of after) {
      const was = before.find((x) => x.mote === m.mote)!;
      expect(m.firstSeen).toBe(was.firstSeen);
      expect(m.lastSeen).toBeGreaterThan(was.lastSeen);
      expect(m.lastSeen).toBeLessThanOrEqual(Date.now());
    }
  });
});
