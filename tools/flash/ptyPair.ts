/**
 * A pair of connected pseudo-terminals made by socat: what one end writes,
 * the other reads, as over a serial cable. For the emulated board in tests
 * and benchmarks.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface PtyPair {
  /** The end the flasher opens (the "board's serial port"). */
  readonly host: string;
  /** The end the emulated board opens. */
  readonly board: string;
  /** Stops socat and removes the links. */
  close(): Promise<void>;
}

export async function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const dir = mkdtempSync(path.join(tmpdir(), "mote-pty-"));
  const host = path.join(dir, "host");
  const board = path.join(dir, "board");
  const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${board}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const exited = new Promise<void>((resolve) => socat.once("exit", () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat did not set up a pty pair within ${timeoutMs} ms: ${log}`)), timeoutMs);
      socat.once("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run socat (is it installed?): ${e.message}`));
      });
      socat.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited (${code}) before the pty pair was ready: ${log}`));
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
  socat.stderr.resume();
  let closing: Promise<void> | undefined;
  return {
    host,
    board,
    close() {
      closing ??= (async () => {
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
