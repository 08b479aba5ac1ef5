/**
 * The base station through trouble: a port that vanishes (socat killed, as
 * a USB cable pulled) and returns at the same path; ports that cannot be
 * opened (missing, busy, not a tty, not permitted: the base station run
 * as an unprivileged user), reported with the reason; and the
 * base station itself killed with SIGKILL while ingesting, then restarted:
 * every packet it had reported stored survives and nothing is stored twice.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { SerialPort } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { explainPortError, type PortInfo } from "../tools/basestation/port.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { BaseStation } from "../tools/basestation/station.ts";
import { MoteEnd, oscFrame, sleep, tempDir, waitFor } from "./fixtures/basestation/support.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function station(ports: string[], db: string, logs: string[], states: PortInfo[] = []) {
  const bs = await BaseStation.start({
    ports: ports.map((p) => ({ path: p })),
    db,
    log: (l) => logs.push(l),
    retry: { minMs: 50, maxMs: 200 },
  });
  bs.on((e) => e.kind === "port" && states.push(e.port));
  cleanups.push(() => bs.close());
  return bs;
}

describe("base station ports in trouble", () => {
  it("picks a vanished port up again when it returns, by itself", async () => {
    const dir = tempDir(cleanups);
    const link = await PtyLink.open({ dir: path.join(dir) });
    cleanups.push(() => link.close());
    const logs: string[] = [];
    const states: PortInfo[] = [];
    const bs = await station([link.host], path.join(dir, "r.sqlite"), logs, states);
    let mote = await MoteEnd.open(link.mote);
    await mote.write(Buffer.concat([oscFrame(1, 0), oscFrame(1, 1)]));
    await waitFor("2 stored", () => (bs.flush(), bs.storage.packetCount === 2));

    // The port vanishes: socat is killed, both ends go.
    await mote.close();
    await link.kill();
    await waitFor("retrying", () => bs.portList()[0]!.status === "retrying");
    expect(bs.portList()[0]!.problem?.code).toMatch(/DISCONNECTED|NO_SUCH_PORT/);
    await sleep(300); // a few failed attempts while it is away
    expect(logs.filter((l) => /went away|does not exist/.test(l)).length).toBeGreaterThanOrEqual(1);
    expect(logs.filter((l) => /does not exist/.test(l)).length).toBeLessThanOrEqual(1); // said once, not at every retry

    // It returns at the same path; ingest resumes without anyone doing anything.
    await link.start();
    await waitFor("open again", () => bs.portList()[0]!.status === "open", 5000);
    mote = await MoteEnd.open(link.mote);
    cleanups.push(() => mote.close());
    await mote.write(Buffer.concat([oscFrame(1, 2), oscFrame(1, 3)]));
    await waitFor("4 stored", () => (bs.flush(), bs.storage.packetCount === 4));
    expect(bs.mote(1)).toMatchObject({ packets: 4, lost: 0 });
    expect(bs.portList()[0]!.opens).toBe(2);
    expect(logs.some((l) => /open at 115200 baud again; reading resumes/.test(l))).toBe(true);
    expect(states.map((s) => s.status)).toEqual(expect.arrayContaining(["open", "retrying", "open"]));
  });

  it("says why a port cannot be opened, and what to do, and opens it once it can", async () => {
    const dir = tempDir(cleanups);
    const logs: string[] = [];
    // Missing: the simulator (or the mote) is not there yet.
    const later = path.join(dir, "later");
    // Busy: another program has it open (serialport locks the port).
    const busyLink = await PtyLink.open({ dir: path.join(dir, "busy") });
    cleanups.push(() => busyLink.close());
    const holder = new SerialPort({ path: busyLink.host, baudRate: 115200, autoOpen: false });
    await new Promise<void>((r, j) => holder.open((e) => (e ? j(e) : r())));
    cleanups.push(() => new Promise<void>((r) => (holder.isOpen ? holder.close(() => r()) : r())));
    // Not a serial port at all.
    const plain = path.join(dir, "plain.txt");
    writeFileSync(plain, "not a tty");

    const bs = await station([later, busyLink.host, plain], path.join(dir, "r.sqlite"), logs);
    const byPath = () => new Map(bs.portList().map((p) => [p.path, p]));
    await waitFor("all tried", () => [...byPath().values()].every((p) => p.status === "retrying"));
    expect(byPath().get(later)!.problem).toMatchObject({ code: "NO_SUCH_PORT", advice: expect.stringMatching(/plug the mote in/) });
    expect(byPath().get(busyLink.host)!.problem).toMatchObject({ code: "PORT_BUSY", advice: expect.stringMatching(/close the other program/) });
    expect(byPath().get(plain)!.problem!.code).toMatch(/NOT_A_SERIAL_PORT|PORT_ERROR/);
    expect(logs.some((l) => l.includes(`port ${later}: ${later} does not exist; plug the mote in`))).toBe(true);

    // The missing one appears; the busy one is let go: both open by themselves.
    const laterLink = await PtyLink.open({ dir: path.join(dir, "later-link") });
    cleanups.push(() => laterLink.close());
    const { symlinkSync } = await import("node:fs");
    symlinkSync(laterLink.host, later);
    await new Promise<void>((r) => holder.close(() => r()));
    await waitFor("open", () => byPath().get(later)!.status === "open" && byPath().get(busyLink.host)!.status === "open", 5000);
    expect(byPath().get(plain)!.status).toBe("retrying");
  });

  it("explains permission problems in the words other systems use too", () => {
    // The real refusal is provoked below ("a port the user may not open"); these are the classifier's other forms.
    for (const text of ["Error: Permission denied, cannot open /dev/ttyUSB0", "EACCES: permission denied, open '/dev/ttyUSB0'", "Operation not permitted (EPERM)"]) {
      expect(explainPortError("/dev/ttyUSB0", new Error(text))).toMatchObject({ code: "PERMISSION_DENIED", advice: expect.stringMatching(/dialout/) });
    }
  });
});

describe("a port the user may not open", () => {
  it("is reported as permission denied, with what to do, in the log and the API; opened by itself once allowed", async () => {
    const dir = tempDir(cleanups);
    const link = await PtyLink.open({ dir: path.join(dir, "pty") });
    cleanups.push(() => link.close());
    const pty = realpathSync(link.host);
    // The pty gets mode 000, as a port of a group the user is not in. Root
    // may open anything, so as root the base station runs without any
    // capability (setpriv empties its bounding set): it is then refused like
    // any user, while the checkout, wherever it was cloned, stays readable.
    const asRoot = process.getuid?.() === 0;
    chmodSync(pty, 0o000);
    const dbDir = path.join(dir, "db");
    mkdirSync(dbDir);
    const run = spawnStation(pty, path.join(dbDir, "r.sqlite"), asRoot ? ["setpriv", "--bounding-set=-all", "--inh-caps=-all"] : []);
    cleanups.push(() => run.child.kill("SIGKILL"));
    const url = await run.url;
    const port = async () => ((await (await fetch(`${url}/api/ports`)).json()) as PortInfo[])[0]!;
    await waitFor("the first attempt", async () => (await port()).status === "retrying");
    expect((await port()).problem).toEqual({
      code: "PERMISSION_DENIED",
      message: `permission denied opening ${pty}`,
      advice: "add your user to the group owning the port (on Debian and Ubuntu: sudo usermod -aG dialout $USER, then log in again)",
    });
    expect(run.out()).toContain(`port ${pty}: permission denied opening ${pty}; add your user to the group owning the port`);

    // Once the user may open it, the base station does by itself, and reads.
    chmodSync(pty, 0o600);
    await waitFor("open", async () => (await port()).status === "open", 15_000);
    const mote = await MoteEnd.open(link.mote);
    cleanups.push(() => mote.close());
    await mote.write(oscFrame(1, 0));
    await waitFor("stored", async () => ((await (await fetch(`${url}/api/stats`)).json()) as { storage: { packets: number } }).storage.packets === 1);
    expect(run.out()).toContain(`port ${pty}: open at 115200 baud`);
    run.child.kill("SIGTERM");
    expect(await new Promise((r) => run.child.once("exit", r))).toBe(0);
  });
});

/** The base station as a child process, as `mote basestation` runs (after `runAs`, a command such as setpriv, when given). */
function spawnStation(port: string, db: string, runAs: string[] = []): { child: ChildProcess; url: Promise<string>; out: () => string } {
  const argv = [process.execPath, path.join(ROOT, "tools/cli/mote.js"), "basestation", "--port", port, "--db", db, "--http", "127.0.0.1:0"];
  const [command, ...args] = [...runAs, ...argv];
  const child = spawn(command!, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = waitFor("the base station's address", () => {
    if (child.exitCode !== null) throw new Error(`the base station exited (${child.exitCode}) before serving: ${out}`);
    return /api\s+(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out)?.[1];
  }, 30_000);
  return { child, url, out: () => out };
}

describe("base station killed with SIGKILL while ingesting", () => {
  it("keeps every packet it reported stored, and stores nothing twice after the restart", async () => {
    const dir = tempDir(cleanups);
    const db = path.join(dir, "readings.sqlite");
    const link = await PtyLink.open({ dir: path.join(dir, "pty") });
    cleanups.push(() => link.close());
    let run = spawnStation(link.host, db);
    cleanups.push(() => run.child.kill("SIGKILL"));
    let url = await run.url;
    await waitFor("port open", async () => ((await (await fetch(`${url}/api/ports`)).json()) as { status: string }[])[0]?.status === "open");

    const mote = await MoteEnd.open(link.mote);
    cleanups.push(() => mote.close());
    // Five motes, counting up; a burst every 5 ms (about 2,000 packets a second).
    const sent: Uint8Array[] = [];
    const counts = [0, 0, 0, 0, 0];
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const burst: Uint8Array[] = [];
        for (let k = 0; k < 10; k++) {
          const m = (sent.length + k) % 5;
          burst.push(oscFrame(m + 1, counts[m]!++));
        }
        sent.push(...burst);
        await mote.write(Buffer.concat(burst)).catch(() => {});
        await sleep(5);
      }
    })();

    // What the base station reports as stored (committed) while it runs.
    let reported = 0;
    await waitFor("a few thousand stored", async () => {
      const s = (await (await fetch(`${url}/api/stats`)).json()) as { storage: { packets: number } };
      reported = s.storage.packets;
      return reported >= 3000;
    }, 30_000);
    run.child.kill("SIGKILL");
    await new Promise((r) => run.child.once("exit", r));
    writing = false;
    await writer;
    const sentBeforeKill = sent.length;

    // After the kill: everything reported is in the file, and the file is sound.
    const check = new Database(db, { readonly: true });
    expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
    const survived = check.prepare("SELECT mote, seq FROM packets WHERE dup = 0").all() as { mote: number; seq: number }[];
    const totalBefore = (check.prepare("SELECT COUNT(*) AS n FROM packets").get() as { n: number }).n;
    check.close();
    expect(survived.length).toBeGreaterThanOrEqual(reported);
    const key = (r: { mote: number; seq: number }) => `${r.mote}:${r.seq}`;
    const before = new Set(survived.map(key));

    // Restart; the mote side sends its last 200 packets again (as a sender
    // that cannot know what arrived would), then new ones.
    run = spawnStation(link.host, db);
    url = await run.url;
    await waitFor("port open", async () => ((await (await fetch(`${url}/api/ports`)).json()) as { status: string }[])[0]?.status === "open");
    const replay = sent.slice(sentBeforeKill - 200, sentBeforeKill);
    for (let i = 0; i < replay.length; i += 50) await mote.write(Buffer.concat(replay.slice(i, i + 50)));
    const fresh: Uint8Array[] = [];
    for (let k = 0; k < 500; k++) {
      const m = k % 5;
      fresh.push(oscFrame(m + 1, counts[m]!++));
    }
    for (let i = 0; i < fresh.length; i += 50) await mote.write(Buffer.concat(fresh.slice(i, i + 50)));
    // Every new packet is stored (and the replayed ones, as duplicates).
    await waitFor("the new packets", async () => {
      const s = (await (await fetch(`${url}/api/stats`)).json()) as { storage: { packets: number } };
      return s.storage.packets >= totalBefore + replay.length + fresh.length;
    }, 20_000);
    run.child.kill("SIGTERM");
    await new Promise((r) => run.child.once("exit", r));

    const after = new Database(db, { readonly: true });
    cleanups.push(() => after.close());
    const rows = after.prepare("SELECT mote, seq FROM packets WHERE dup = 0").all() as { mote: number; seq: number }[];
    const keys = rows.map(key);
    // Nothing stored twice...
    expect(keys.length).toBe(new Set(keys).size);
    // ... nothing reported stored before the kill is lost ...
    for (const k of before) expect(keys.includes(k) || `missing ${k}`).toBe(true);
    // ... the replayed packets were recognised as duplicates, not stored as readings again ...
    const dups = (after.prepare("SELECT COUNT(*) AS n FROM packets WHERE dup = 1").get() as { n: number }).n;
    expect(dups).toBeGreaterThanOrEqual(1);
    const readings = (after.prepare("SELECT COUNT(*) AS n FROM readings").get() as { n: number }).n;
    expect(readings).toBe(10 * rows.length);
    // ... and every packet sent after the restart is there.
    const all = new Set(keys);
    for (let k = 0; k < 500; k++) {
      const m = k % 5;
      const c = counts[m]! - 100 + Math.floor(k / 5);
      expect(all.has(`${m + 1}:${c}`) || `missing ${m + 1}:${c}`).toBe(true);
    }
    expect(run.out()).toMatch(/stopped; \d+ packets stored/);
  }, 90_000);
});
