/**
 * Two linked pseudo-terminals made by socat: what one end writes, the other
 * reads, as over a serial cable. The links sit at fixed paths that survive a
 * restart: kill socat and both ends vanish (as an unplugged USB mote does);
 * start it again and the same paths work again. The simulator puts a mote's
 * UART on one; the base station's and the flasher's tests and benchmarks put
 * a simulated or emulated mote behind one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface PtyLinkOptions {
  /** Where the links go (a new temporary directory, removed on close, by default). */
  readonly dir?: string;
  /** The link names of the two ends (default `host` and `mote`). */
  readonly hostName?: string;
  readonly moteName?: string;
  readonly timeoutMs?: number;
}

export class PtyLink {
  /** The end the PC's tool opens (base station, flasher, a terminal program). */
  readonly host: string;
  /** The end the (simulated or emulated) mote opens. */
  readonly mote: string;
  private readonly dir: string;
  private readonly ownDir: boolean;
  private socat: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(dir: string, ownDir: boolean, hostName: string, moteName: string) {
    this.dir = dir;
    this.ownDir = ownDir;
    this.host = path.join(dir, hostName);
    this.mote = path.join(dir, moteName);
  }

  /** Starts socat with the two links; resolves once both pseudo-terminals exist. */
  static async open(options: PtyLinkOptions = {}): Promise<PtyLink> {
    const { dir } = options;
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
    const link = new PtyLink(
      dir ?? mkdtempSync(path.join(tmpdir(), "mote-pty-")),
      dir === undefined,
      options.hostName ?? "host",
      options.moteName ?? "mote",
    );
    try {
      await link.start(options.timeoutMs);
    } catch (e) {
      if (link.ownDir) rmSync(link.dir, { recursive: true, force: true });
      throw e;
    }
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
        const timer = setTimeout(() => reject(new Error(`socat did not set up a pseudo-terminal pair within ${timeoutMs} ms: ${log}`)), timeoutMs);
        socat.once("error", (e) => {
          clearTimeout(timer);
          reject(new Error(`cannot run socat (is it installed? apt-get install socat): ${e.message}`));
        });
        socat.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`socat exited (${code}) before the pseudo-terminals were ready: ${log}`));
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
    // Keep draining socat's log so it never blocks on a full pipe.
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

  /** Stops socat and removes the links (and their directory if it made it); safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.kill("SIGTERM");
      if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}
