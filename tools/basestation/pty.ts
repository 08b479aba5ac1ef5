/**
 * A pair of linked pseudo-terminals made by socat, at fixed link paths that
 * survive a restart: kill socat and both ends vanish (as an unplugged USB
 * mote does); start it again and the same paths work again. For the demo,
 * the tests and the benchmarks.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export class PtyLink {
  /** The end the base station opens. */
  readonly host: string;
  /** The end the (simulated) mote writes to. */
  readonly mote: string;
  private readonly dir: string;
  private readonly ownDir: boolean;
  private socat: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(dir: string, ownDir: boolean) {
    this.dir = dir;
    this.ownDir = ownDir;
    this.host = path.join(dir, "host");
    this.mote = path.join(dir, "mote");
  }

  /** Starts socat with links `host` and `mote` in `dir` (a new temporary directory by default). */
  static async open(dir?: string, timeoutMs = 5000): Promise<PtyLink> {
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
    const link = new PtyLink(dir ?? mkdtempSync(path.join(tmpdir(), "mote-bs-pty-")), dir === undefined);
    await link.start(timeoutMs);
    return link;
  }

  get running(): boolean {
    return this.socat !== undefined && this.socat.exitCode === null && this.socat.signalCode === null;
  }

  /** (Re)starts socat; the links point at the new pseudo-terminals. */
  async start(timeoutMs = 5000): Promise<void> {
    if (this.running) return;
    rmSync(this.host, { force: true });
    rmSync(this.mote, { force: true });
    const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${this.host}`, `pty,raw,echo=0,link=${this.mote}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.socat = socat;
    this.exited = new Promise<void>((resolve) => socat.once("exit", () => resolve()));
    let log = "";
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
        socat.stderr!.on("data", (d: Buffer) => {
          log += d.toString();
          if (log.includes("starting data transfer loop")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } catch (e) {
      socat.kill("SIGKILL");
      throw e;
    }
    socat.stderr!.removeAllListeners("data");
    socat.stderr!.resume();
  }

  /** Kills socat (SIGKILL by default: the ports vanish at once, as when a cable is pulled). */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.running) {
      this.socat!.kill(signal);
      await this.exited;
    }
    rmSync(this.host, { force: true });
    rmSync(this.mote, { force: true });
  }

  async close(): Promise<void> {
    await this.kill("SIGTERM");
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
