/**
 * A serial port the base station keeps open: it opens the port with the
 * serialport package, hands every chunk read to `onData`, and when the port
 * cannot be opened or goes away (a USB adapter unplugged, the simulator's
 * pseudo-terminal gone) tries again with backoff until it is back. Every
 * change of state is reported with the reason and what to do about it.
 */
import { SerialPort } from "serialport";

export type PortStatus = "opening" | "open" | "retrying" | "closed";

export type PortProblem = "NO_SUCH_PORT" | "PERMISSION_DENIED" | "PORT_BUSY" | "NOT_A_SERIAL_PORT" | "DISCONNECTED" | "PORT_ERROR";

export interface PortTrouble {
  readonly code: PortProblem;
  /** What happened, for a person. */
  readonly message: string;
  /** What to do about it. */
  readonly advice: string;
}

export interface PortInfo {
  readonly path: string;
  readonly baud: number;
  readonly status: PortStatus;
  /** Why the port is not open (while retrying), or why it last closed. */
  readonly problem?: PortTrouble;
  /** When the status last changed (ms since the epoch). */
  readonly since: number;
  /** Times the port was opened. */
  readonly opens: number;
  /** When the next attempt is due, while retrying. */
  readonly retryAt?: number;
}

/** Turns what serialport reports when opening fails (errno text on Linux) into a reason and advice. */
export function explainPortError(path: string, error: Error): PortTrouble {
  const text = error.message;
  if (/No such file or directory|ENOENT/i.test(text)) {
    return {
      code: "NO_SUCH_PORT",
      message: `${path} does not exist`,
      advice: "plug the mote in (USB motes appear as /dev/ttyUSB* or /dev/ttyACM*; `mote ports` lists them), or start the simulator that provides this port",
    };
  }
  if (/Permission denied|EACCES|EPERM/i.test(text)) {
    return {
      code: "PERMISSION_DENIED",
      message: `permission denied opening ${path}`,
      advice: "add your user to the group owning the port (on Debian and Ubuntu: sudo usermod -aG dialout $USER, then log in again)",
    };
  }
  if (/Cannot lock port|Resource temporarily unavailable|EBUSY|EAGAIN|Device or resource busy/i.test(text)) {
    return {
      code: "PORT_BUSY",
      message: `${path} is busy: another program has it open`,
      advice: "close the other program (a terminal such as screen or minicom, another `mote listen` or `mote basestation`, TinyOS's serialforwarder)",
    };
  }
  if (/Inappropriate ioctl|ENOTTY|Not a typewriter/i.test(text)) {
    return { code: "NOT_A_SERIAL_PORT", message: `${path} is not a serial port`, advice: "give the path of a serial device or pseudo-terminal" };
  }
  return { code: "PORT_ERROR", message: `cannot open ${path}: ${text}`, advice: "check the device; the base station keeps trying" };
}

export interface SupervisedPortOptions {
  readonly path: string;
  readonly baud: number;
  readonly onData: (chunk: Buffer) => void;
  /** Called on every change of state (open, gone, retrying, closed). */
  readonly onStatus?: (info: PortInfo) => void;
  /** First retry delay; doubles up to maxBackoffMs. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export class SupervisedPort {
  readonly path: string;
  readonly baud: number;
  private port: SerialPort | undefined;
  private status: PortStatus = "closed";
  private problem: PortTrouble | undefined;
  private since = Date.now();
  private opens = 0;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;
  private retryAt: number | undefined;
  private stopped = false;

  constructor(private readonly options: SupervisedPortOptions) {
    this.path = options.path;
    this.baud = options.baud;
    this.backoff = options.minBackoffMs ?? 250;
  }

  get info(): PortInfo {
    return {
      path: this.path,
      baud: this.baud,
      status: this.status,
      ...(this.problem ? { problem: this.problem } : {}),
      since: this.since,
      opens: this.opens,
      ...(this.retryAt !== undefined ? { retryAt: this.retryAt } : {}),
    };
  }

  get isOpen(): boolean {
    return this.status === "open";
  }

  /** Starts opening; resolves after the first attempt (open or not; it keeps trying). */
  start(): Promise<void> {
    return this.attempt();
  }

  private setStatus(status: PortStatus, problem?: PortTrouble): void {
    this.status = status;
    this.problem = problem;
    this.since = Date.now();
    this.options.onStatus?.(this.info);
  }

  private attempt(): Promise<void> {
    this.timer = undefined;
    this.retryAt = undefined;
    if (this.stopped) return Promise.resolve();
    this.status = "opening";
    return new Promise<void>((resolve) => {
      let port: SerialPort;
      try {
        port = new SerialPort({ path: this.path, baudRate: this.baud, autoOpen: false });
      } catch (e) {
        this.retry(explainPortError(this.path, e as Error));
        resolve();
        return;
      }
      port.open((error) => {
        if (error) {
          this.retry(explainPortError(this.path, error));
          resolve();
          return;
        }
        if (this.stopped) {
          port.close(() => resolve());
          return;
        }
        this.port = port;
        this.opens++;
        this.backoff = this.options.minBackoffMs ?? 250;
        port.on("data", (chunk: Buffer) => this.options.onData(chunk));
        // Errors while open end in "close" (disconnected) or a failed write; both are handled.
        port.on("error", () => {});
        port.on("close", (e: (Error & { disconnected?: boolean }) | null) => {
          if (this.port !== port) return;
          this.port = undefined;
          if (this.stopped) return;
          this.retry({
            code: "DISCONNECTED",
            message: `${this.path} went away${e?.disconnected ? " (device disconnected)" : ""}`,
            advice: "reconnect the mote; reading resumes by itself when the port is back",
          });
        });
        this.setStatus("open");
        resolve();
      });
    });
  }

  private retry(problem: PortTrouble): void {
    if (this.stopped) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5000);
    this.retryAt = Date.now() + delay;
    this.setStatus("retrying", problem);
    this.timer = setTimeout(() => void this.attempt(), delay);
  }

  /** Writes bytes; resolves once the OS has them. Rejects when the port is not open. */
  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port || this.status !== "open") return Promise.reject(new Error(`${this.path} is not open (${this.problem?.message ?? this.status})`));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
        if (error) reject(new Error(`writing to ${this.path} failed: ${error.message}`));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.retryAt = undefined;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.setStatus("closed");
  }
}
