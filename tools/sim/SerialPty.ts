/**
 * A simulated mote's UART on a pseudo-terminal, so any serial tool (a
 * terminal program, TinyOS's `serialforwarder`, `mote basestation`) can talk
 * to it. socat makes a connected pair of pseudo-terminals; the simulator
 * opens one end with the `serialport` package and the user gets the other.
 * What the mote sends goes out as it is sent; what arrives is fed to the
 * mote's UART at the current virtual time, so the world should run paced to
 * the wall clock (`World.runRealtime`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SerialPort } from "serialport";
import type { World } from "./World.ts";

export interface SerialBridge {
  /** The pseudo-terminal a serial tool opens. */
  readonly path: string;
  /** Detaches the mote and closes both ends. */
  close(): Promise<void>;
}

export async function attachSerialPty(world: World, moteId: number, timeoutMs = 5000): Promise<SerialBridge> {
  const mote = world.mote(moteId);
  const dir = mkdtempSync(path.join(tmpdir(), "mote-sim-pty-"));
  const user = path.join(dir, `mote${moteId}`);
  const own = path.join(dir, "sim");
  const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${own}`, `pty,raw,echo=0,link=${user}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => socat.once("exit", () => resolve()));
  let log = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat did not make a pseudo-terminal pair within ${timeoutMs} ms: ${log}`)), timeoutMs);
      socat.once("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run socat (is it installed?): ${e.message}`));
      });
      socat.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited (${code}) before the pseudo-terminals were ready: ${log}`));
      });
      socat.stderr.on("data", (d: Buffer) => {
        log += d.toString();
        if (log.includes("starting data transfer loop")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (e) {
    socat.kill();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  socat.stderr.removeAllListeners("data");
  socat.stderr.resume();

  const port = new SerialPort({ path: own, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  port.on("error", () => {}); // a tool hanging up is not the simulator's failure
  port.on("data", (data: Buffer) => world.serialWrite(moteId, data));
  let attached = true;
  mote.serialListeners.push((bytes) => {
    if (attached && port.isOpen) port.write(Buffer.from(bytes));
  });

  let closing: Promise<void> | undefined;
  return {
    path: user,
    close() {
      closing ??= (async () => {
        attached = false;
        if (port.isOpen) {
          await new Promise<void>((resolve) => port.drain(() => resolve()));
          await new Promise<void>((resolve) => port.close(() => resolve()));
        }
        if (socat.exitCode === null && socat.signalCode === null) {
          socat.kill("SIGTERM");
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
