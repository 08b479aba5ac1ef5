/**
 * The commands: `mote ports` (with and without udev, pseudo-terminal links
 * given by the user), `mote listen` on a pty and on a SerialForwarder,
 * `mote basestation send` and the usage errors.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { basestationCommand } from "../tools/basestation/cli.ts";
import { FakeOscilloscopeNetwork } from "./fixtures/basestation/fakeMote.ts";
import { parseSource } from "../tools/basestation/listen.ts";
import { listPorts, type PortList, scanSysfs } from "../tools/basestation/ports.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { startBaseStation } from "../tools/basestation/server.ts";
import { MoteEnd, oscFrame, tempDir, waitFor } from "./fixtures/basestation/support.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs a command in this process, capturing what it prints. */
async function inProcess(f: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void (out += `${a.join(" ")}\n`));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void (err += `${a.join(" ")}\n`));
  try {
    return { code: await f(), out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

function mote(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number> } {
  const child = spawn(process.execPath, [path.join(ROOT, "tools/cli/mote.js"), ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number>((r) => child.once("exit", (code, signal) => r(code ?? (signal ? 128 : 0))));
  cleanups.push(() => child.exitCode === null && child.kill("SIGKILL"));
  return { child, out: () => out, err: () => err, exit };
}

describe("mote ports", () => {
  it("finds USB serial ports in /sys when udev is missing", () => {
    const dir = tempDir(cleanups);
    const sys = path.join(dir, "sys/class/tty");
    const dev = path.join(dir, "dev");
    const usb = path.join(dir, "sys/devices/pci0000:00/usb1/1-1");
    mkdirSync(path.join(usb, "1-1:1.0/ttyUSB0"), { recursive: true });
    writeFileSync(path.join(usb, "idVendor"), "0403\n");
    writeFileSync(path.join(usb, "idProduct"), "6001\n");
    writeFileSync(path.join(usb, "manufacturer"), "FTDI\n");
    writeFileSync(path.join(usb, "product"), "TelosB\n");
    writeFileSync(path.join(usb, "serial"), "M4A7J5HX\n");
    mkdirSync(path.join(sys, "ttyUSB0"), { recursive: true });
    symlinkSync(path.join(usb, "1-1:1.0/ttyUSB0"), path.join(sys, "ttyUSB0/device"));
    // A UART with hardware, one the kernel found nothing at (type 0), and a virtual console.
    for (const [name, type] of [["ttyS0", "4"], ["ttyS1", "0"], ["tty1", undefined]] as const) {
      mkdirSync(path.join(sys, name, "device"), { recursive: true });
      if (type) writeFileSync(path.join(sys, name, "type"), type);
    }
    mkdirSync(dev);
    for (const n of ["ttyUSB0", "ttyS0", "ttyS1", "tty1"]) writeFileSync(path.join(dev, n), "");
    expect(scanSysfs(sys, dev)).toEqual([
      { path: path.join(dev, "ttyS0"), kind: "uart", source: "sysfs" },
      { path: path.join(dev, "ttyUSB0"), kind: "usb", source: "sysfs", vendorId: "0403", productId: "6001", manufacturer: "FTDI", product: "TelosB", serialNumber: "M4A7J5HX" },
    ]);
  });

  it("lists pseudo-terminal links given by the user and refuses what is not a port", async () => {
    const link = await PtyLink.open();
    cleanups.push(() => link.close());
    const dir = tempDir(cleanups);
    const file = path.join(dir, "file");
    writeFileSync(file, "");
    const list = await listPorts({ given: [link.host, file, path.join(dir, "gone")], udev: false });
    expect(list.method).toBe("sysfs");
    expect(list.ports.find((p) => p.path === link.host)).toMatchObject({ kind: "pty", source: "given", target: expect.stringMatching(/^\/dev\/pts\/\d+$/) });
    expect(list.rejected.map((r) => r.path)).toEqual([file, path.join(dir, "gone")]);

    const cli = mote(["ports", "--no-udev", "--json", link.host]);
    expect(await cli.exit).toBe(0);
    const json = JSON.parse(cli.out()) as { ports: { path: string }[]; note: string };
    expect(json.ports.map((p) => p.path)).toContain(link.host);
    expect(json.note).toMatch(/udev not used/);
  });
});

describe("mote ports without udev", () => {
  it("says why listing through udev failed and scans /sys/class/tty instead (no udevadm on PATH)", async () => {
    const link = await PtyLink.open();
    cleanups.push(() => link.close());
    // serialport's list runs `udevadm info -e`; with a PATH where there is
    // none, it fails as on a machine without udev, whatever this one has.
    const noUdev = { ...process.env, PATH: tempDir(cleanups) };
    const json = mote(["ports", "--json", link.host], noUdev);
    expect(await json.exit).toBe(0);
    const list = JSON.parse(json.out()) as PortList;
    expect(list.note).toBe("listing through udev failed (spawn udevadm ENOENT); scanned /sys/class/tty instead");
    expect(list.method).toBe("sysfs");
    expect(list.ports.filter((p) => p.source === "udev")).toEqual([]);
    expect(list.ports).toContainEqual({ path: link.host, kind: "pty", target: expect.stringMatching(/^\/dev\/pts\/\d+$/), source: "given" });

    const text = mote(["ports", link.host], noUdev);
    expect(await text.exit).toBe(0);
    const row = text.out().split("\n").find((l) => l.startsWith(`${link.host} `));
    expect(row?.split(/\s+/)).toEqual([link.host, "pty", "->", expect.stringMatching(/^\/dev\/pts\/\d+$/)]);
    expect(text.out().trimEnd().split("\n").at(-1)).toBe("(listing through udev failed (spawn udevadm ENOENT); scanned /sys/class/tty instead)");
  });

  it("lists /dev/ttyUSB*, /dev/ttyACM* and /dev/rfcomm* by name where there is no /sys either", async () => {
    const dir = tempDir(cleanups);
    const dev = path.join(dir, "dev");
    mkdirSync(dev);
    // UARTs cannot be told from reserved slots without /sys; consoles and ptys are not serial ports.
    for (const n of ["ttyUSB10", "ttyUSB2", "ttyACM0", "rfcomm0", "ttyS0", "tty1", "ptmx", "ttyUSB", "null"]) writeFileSync(path.join(dev, n), "");
    const sys = path.join(dir, "sys/class/tty");
    const expected = [
      { path: path.join(dev, "rfcomm0"), kind: "bluetooth", source: "dev" },
      { path: path.join(dev, "ttyACM0"), kind: "acm", source: "dev" },
      { path: path.join(dev, "ttyUSB2"), kind: "usb", source: "dev" },
      { path: path.join(dev, "ttyUSB10"), kind: "usb", source: "dev" },
    ];
    const list = await listPorts({ udev: false, sysClassTty: sys, devDir: dev });
    expect(list).toEqual({ ports: expected, method: "dev", note: `udev not used; no ${sys} either: listed ${dev}/ttyUSB*, ${dev}/ttyACM* and ${dev}/rfcomm* by name`, rejected: [] });

    // And when udev fails for real first (no udevadm on PATH).
    const path0 = process.env.PATH;
    process.env.PATH = tempDir(cleanups);
    let failed: PortList;
    try {
      failed = await listPorts({ sysClassTty: sys, devDir: dev });
    } finally {
      process.env.PATH = path0;
    }
    expect(failed.ports).toEqual(expected);
    expect(failed.note).toBe(`listing through udev failed (spawn udevadm ENOENT); no ${sys} either: listed ${dev}/ttyUSB*, ${dev}/ttyACM* and ${dev}/rfcomm* by name`);
  });
});

describe("mote listen", () => {
  it("prints each packet: time, AM header, raw bytes and the decoded fields", async () => {
    const link = await PtyLink.open();
    cleanups.push(() => link.close());
    const listen = mote(["listen", "--port", link.host, "--baud", "57600"]);
    await waitFor("listening", () => /listening to .* at 57600 baud/.test(listen.err()), 20_000);
    const m = await MoteEnd.open(link.mote);
    cleanups.push(() => m.close());
    await m.write(Buffer.concat([oscFrame(5, 2), Uint8Array.of(1, 2, 3), oscFrame(6, 0).slice(0, 20), oscFrame(7, 1)]));
    await waitFor("two packets", () => (listen.out().match(/OscilloscopeMsg:/g) ?? []).length === 2);
    const lines = listen.out().split("\n");
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  dest ffff src 0005 len 28 grp 22 type 93$/);
    expect(lines[1]).toMatch(/^ {4}00 ff ff 00 05 1c 22 93 00 01 01 00 00 05 00 02 /);
    expect(lines[2]).toBe("    OscilloscopeMsg: version=1 interval=256 id=5 count=2 readings=[520 521 522 523 524 525 526 527 528 529]");
    expect(lines[3]).toMatch(/src 0007/);
    listen.child.kill("SIGINT");
    expect(await listen.exit).toBe(0);
    expect(listen.err()).toMatch(/stopped; .*"packets":2/);
  });

  it("reads a SerialForwarder (sf@host:port), as JSON lines", async () => {
    const dir = tempDir(cleanups);
    const link = await PtyLink.open();
    cleanups.push(() => link.close());
    const bs = await startBaseStation({ ports: [{ path: link.host }], db: path.join(dir, "r.sqlite"), http: false, sf: { host: "127.0.0.1", port: 0 }, log: () => {} });
    cleanups.push(() => bs.close());
    const listen = mote(["listen", "--source", `sf@127.0.0.1:${bs.sf!.port}`, "--json"]);
    await waitFor("attached", () => bs.sf!.clients === 1, 20_000);
    const m = await MoteEnd.open(link.mote);
    cleanups.push(() => m.close());
    await m.write(oscFrame(9, 4));
    const line = await waitFor("a packet", () => listen.out().split("\n")[0] || undefined);
    expect(JSON.parse(line)).toMatchObject({ src: 9, type: 0x93, length: 28, message: "OscilloscopeMsg", fields: { id: 9, count: 4 } });
    await bs.close();
    expect(await listen.exit).toBe(0);
    expect(listen.err()).toMatch(/the source closed/);
  });

  it("parses TinyOS source names", () => {
    expect(parseSource("sf@localhost:9002")).toEqual({ kind: "sf", host: "localhost", port: 9002 });
    expect(parseSource("serial@/dev/ttyUSB0:57600")).toEqual({ kind: "serial", path: "/dev/ttyUSB0", baud: 57600 });
    expect(parseSource("/dev/ttyUSB1", 9600)).toEqual({ kind: "serial", path: "/dev/ttyUSB1", baud: 9600 });
    expect(() => parseSource("sf@nowhere")).toThrow(/sf@host:port/);
    expect(() => parseSource("network@x:1")).toThrow(/unknown source kind/);
  });
});

describe("mote basestation", () => {
  it("sends a command from the command line to a running base station, which the mote ACKs", async () => {
    const dir = tempDir(cleanups);
    const db = path.join(dir, "r.sqlite");
    const link = await PtyLink.open();
    cleanups.push(() => link.close());
    const bs = await startBaseStation({ ports: [{ path: link.host }], db, http: { host: "127.0.0.1", port: 0 }, log: () => {} });
    cleanups.push(() => bs.close());
    const m = await MoteEnd.open(link.mote);
    cleanups.push(() => m.close());
    const net = new FakeOscilloscopeNetwork((b) => void m.write(b), { motes: 0 });
    m.onData((c) => net.receive(c));
    // The base station's address and token are found through the database's name.
    const send = await inProcess(() => basestationCommand(["send", "--db", db, "--interval", "640"]));
    expect(send.code).toBe(0);
    expect(send.out).toMatch(/OscilloscopeMsg interval 640 ms \(version 1\): .*: ACKed \(seq \d+, 1 try\)/);
    expect(net.intervalMs).toBe(640);
    const bad = await inProcess(() => basestationCommand(["send", "--db", db, "--interval", "0"]));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/interval must be .* \[interval\]/);
    const nobody = await inProcess(() => basestationCommand(["send", "--db", path.join(dir, "other.sqlite"), "--interval", "5"]));
    expect([nobody.code, nobody.err]).toEqual([2, expect.stringMatching(/no running base station found/)]);
  });

  it("binds HTTP to 127.0.0.1 when --http is not given", async () => {
    const dir = tempDir(cleanups);
    const link = await PtyLink.open();
    cleanups.push(() => link.close());
    const run = mote(["basestation", "--port", link.host, "--db", path.join(dir, "r.sqlite")]);
    // The default port, 8080, may be taken on this machine (a demo running):
    // then the refusal names the address it tried. Either way it is loopback.
    const api = await waitFor("the api address, or the base station's exit", () => /^ {2}api +(\S+)$/m.exec(run.out())?.[1] ?? (run.child.exitCode !== null ? "" : undefined), 30_000);
    if (api) {
      // The address the server is bound to (server.address()), not the one asked for.
      expect(api).toBe("http://127.0.0.1:8080/api");
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    } else {
      expect(await run.exit).toBe(1);
      await expect.poll(run.err).toMatch(/cannot serve HTTP on 127\.0\.0\.1:8080: the port is in use/);
    }
  });

  it("explains bad usage", async () => {
    const cases: [string[], RegExp][] = [
      [[], /needs at least one --port/],
      [["--port", "/dev/null", "--http", "here"], /--http must be host:port/],
      [["--port", "sf@localhost:9002"], /reads serial ports/],
      [["--port", "/dev/null", "--baud", "fast"], /--baud must be a serial speed/],
      [["--port", "/dev/null", "--mqtt", "localhost"], /--mqtt must be a broker URL/],
      [["--port", "/dev/null", "--colour"], /Unknown option/],
      [["demo", "--motes", "0"], /--motes must be an integer 1\.\.1000/],
      [["demo", "--seconds", "0"], /--seconds must be a positive number/],
      [["demo", "--mqtt", "localhost"], /--mqtt must be a broker URL/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(() => basestationCommand(args));
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.err).toMatch(message);
    }
  });
});
