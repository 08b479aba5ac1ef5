import { spawn } from "node:child_process";
import path from "node:path";
import { SerialPort } from "serialport";
import { describe, expect, it } from "vitest";
import { ROOT } from "../tools/build/build.ts";
import { attachSerialPty } from "../tools/sim/SerialPty.ts";
import { World } from "../tools/sim/World.ts";
import { imageOf } from "./support.ts";

const ECHO = "test/fixtures/sim/UartEchoAppC.ts";
const MOTE = path.join(ROOT, "tools/cli/mote.js");

/** Opens `file` with serialport, writes `text`, and resolves with what comes back once `expected` bytes have. */
async function talk(file: string, text: string, expected: number): Promise<string> {
  const port = new SerialPort({ path: file, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  try {
    let got = "";
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer in time; got ${JSON.stringify(got)}`)), 8000);
      port.on("data", (d: Buffer) => {
        got += d.toString("latin1");
        if (got.length >= expected) {
          clearTimeout(timer);
          resolve(got);
        }
      });
    });
    port.write(Buffer.from(text, "latin1"));
    return await answer;
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

describe("the serial port", () => {
  it("carries bytes both ways in virtual time, at the baud rate", async () => {
    const lines: string[] = [];
    const world = new World({ trace: (l) => lines.push(l) });
    world.addMote({ id: 3, image: await imageOf(ECHO), bootAtMs: 0 });
    world.at(10, () => world.serialWrite(3, [0x61, 0x62, 0x63]));
    world.runUntil(20);
    expect(Buffer.from(world.serialOutput(3)).toString("latin1")).toBe("bcd");
    const c = world.mote(3).counters;
    expect(c.serialBytesIn).toBe(3);
    expect(c.serialBytesOut).toBe(3);
    expect(world.mote(3).ledChanges).toBe(3);
    expect(lines).toContain('{"t":0.01,"ev":"serial","mote":3,"dir":"in","hex":"616263"}');
    // The first byte is in after one byte time (10 bits at 115200 baud) and echoed at once.
    expect(lines).toContain('{"t":0.010087,"ev":"serial","mote":3,"dir":"out","hex":"62"}');
    // LED and energy events go in the same trace.
    expect(lines).toContain('{"t":0.010087,"ev":"led","mote":3,"led":0,"on":true}');
    world.traceEnergy();
    const energy = JSON.parse(lines.at(-1)!) as { ev: string; mote: number; mah: number; ma: number; days: number; states: Record<string, number> };
    expect(energy).toMatchObject({ ev: "energy", mote: 3, t: 0.02 });
    expect(energy.ma).toBeCloseTo(world.energy(3).averageMa, 9);
    expect(energy.days).toBeCloseTo(2850 / energy.ma / 24, 6);
    expect(energy.states["cpu active"]).toBeCloseTo(world.mote(3).sleeps * 250e-6, 9);
  });

  it("attaches a mote's UART to a pseudo-terminal that the serialport package opens, in real time", async () => {
    const world = new World();
    world.addMote({ id: 0, image: await imageOf(ECHO), bootAtMs: 0 });
    const bridge = await attachSerialPty(world, 0);
    const running = world.runRealtime({ untilMs: 20_000 });
    try {
      expect(await talk(bridge.path, "hello, mote", 11)).toBe("ifmmp-!npuf");
      expect(await talk(bridge.path, "\x00\x7e\xff", 3)).toBe("\x01\x7f\x00");
    } finally {
      world.stop();
      await running;
      await bridge.close();
    }
    expect(world.nowMs).toBeLessThan(20_000); // paced to the wall clock, stopped early
    expect(world.mote(0).counters.serialBytesIn).toBe(14);
  });

  it("mote sim --serial 0=pty prints the pseudo-terminal's path; a serial tool talks to the mote through it", async () => {
    const child = spawn(process.execPath, [MOTE, "sim", ECHO, "--serial", "0=pty", "--seconds", "30", "--boot-spread", "0", "--no-typecheck"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const file = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no pty path on stderr: ${stderr}`)), 20_000);
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
          const m = /mote 0: serial port on (\S+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      expect(await talk(file, "ABC", 3)).toBe("BCD");
    } finally {
      child.kill("SIGINT"); // Ctrl-C: stops the run, prints the summary
    }
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/UartEchoAppC: 1 mote/);
    expect(stdout).toMatch(/LED toggles/);
  });
});
