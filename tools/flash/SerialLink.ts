/**
 * A serial port as the flasher and the emulated board use it: open with
 * errors a person understands, write and wait until the OS has the bytes,
 * collect what arrives, and wait (boundedly) for something in it.
 */
import { SerialPort } from "serialport";
import { FlashError, portOpenError } from "./errors.ts";

export class SerialLink {
  /** Bytes received and not yet consumed, one char per byte (latin1). */
  private rx = "";
  private waiters = new Set<() => void>();
  private sinks = new Set<(data: Buffer) => void>();
  private closedError: FlashError | undefined;
  private closing = false;
  /** Settles when the port closes, by close() or because the device went away. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  private constructor(
    private readonly port: SerialPort,
    readonly path: string,
    readonly baud: number,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    port.on("data", (data: Buffer) => {
      this.rx += data.toString("latin1");
      for (const sink of this.sinks) sink(data);
      for (const wake of [...this.waiters]) wake();
    });
    port.on("close", () => {
      if (!this.closing) this.closedError = new FlashError("PORT_CLOSED", `port ${path} closed: the board went away (unplugged or reset its USB)`);
      for (const wake of [...this.waiters]) wake();
      this.markClosed();
    });
    // Errors after opening surface through close and failed writes.
    port.on("error", () => {});
  }

  static open(path: string, baud: number): Promise<SerialLink> {
    return new Promise((resolve, reject) => {
      let port: SerialPort;
      try {
        port = new SerialPort({ path, baudRate: baud, autoOpen: false });
      } catch (e) {
        reject(portOpenError(path, e as Error));
        return;
      }
      port.open((error) => {
        if (error) reject(portOpenError(path, error));
        else resolve(new SerialLink(port, path, baud));
      });
    });
  }

  get isOpen(): boolean {
    return this.port.isOpen && this.closedError === undefined;
  }

  /** Writes and resolves once the OS has taken the bytes. */
  write(data: Uint8Array | string): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data);
    return new Promise((resolve, reject) => {
      this.port.write(bytes, (error) => {
        if (error) reject(this.closedError ?? new FlashError("PORT_ERROR", `writing to ${this.path} failed: ${error.message}`));
        else resolve();
      });
    });
  }

  /** What has arrived and not been consumed (latin1). */
  get received(): string {
    return this.rx;
  }

  /** Drops the first `count` received chars (all by default). */
  consume(count = this.rx.length): void {
    this.rx = this.rx.slice(count);
  }

  /** Calls `sink` with every chunk received from now on; returns a function that stops it. */
  listen(sink: (data: Buffer) => void): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /**
   * Waits until `scan` finds what it looks for in the received text (it is
   * called now and after every chunk), or `timeoutMs` passes (undefined).
   */
  waitFor<T>(scan: (received: string) => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (value: T | undefined, error?: Error) => {
        this.waiters.delete(check);
        if (timer) clearTimeout(timer);
        if (error) reject(error);
        else resolve(value);
      };
      const check = () => {
        let found: T | undefined;
        try {
          found = scan(this.rx);
        } catch (e) {
          finish(undefined, e as Error);
          return;
        }
        if (found !== undefined) finish(found);
        else if (this.closedError) finish(undefined, this.closedError);
      };
      this.waiters.add(check);
      timer = setTimeout(() => finish(undefined), Math.max(0, timeoutMs));
      check();
    });
  }

  close(): Promise<void> {
    this.closing = true;
    this.sinks.clear();
    if (!this.port.isOpen) {
      this.markClosed();
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.port.close(() => {
        this.markClosed();
        resolve();
      }),
    );
  }
}
