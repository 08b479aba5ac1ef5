/**
 * Packets to a mote as TinyOS's PC tools send them: protocol 0x44 with a
 * sequence number, sent again (same sequence number) until the mote answers
 * `7E 43 seq CRC CRC 7E` or the retries run out. One packet is outstanding
 * per port at a time; the others wait their turn in order.
 */
import { encodeFrame, SERIAL_PROTO_PACKET_ACK } from "../serial/index.ts";

export interface CommandResult {
  readonly port: string;
  readonly ok: boolean;
  /** The sequence byte of the 0x44 frame. */
  readonly seq: number;
  /** Frames written (1 = ACKed the first time). */
  readonly attempts: number;
  /** From the first write to the ACK (or the give-up). */
  readonly ms: number;
  readonly error?: string;
}

export interface CommandChannelOptions {
  readonly port: string;
  readonly write: (bytes: Uint8Array) => Promise<void>;
  /** How long to wait for the ACK before sending again. Default 250 ms. */
  readonly ackTimeoutMs?: number;
  /** Sends after the first. Default 5. */
  readonly retries?: number;
  readonly firstSeq?: number;
}

interface Job {
  readonly data: Uint8Array;
  readonly resolve: (r: CommandResult) => void;
}

export class CommandChannel {
  private nextSeq: number;
  private readonly queue: Job[] = [];
  private busy = false;
  private waiting: { seq: number; wake: () => void } | undefined;
  /** Counters: packets sent, ACKed, given up, frames written. */
  readonly counts = { sent: 0, acked: 0, failed: 0, frames: 0, strayAcks: 0 };

  constructor(private readonly options: CommandChannelOptions) {
    this.nextSeq = (options.firstSeq ?? Math.floor(Math.random() * 256)) & 0xff;
  }

  /** Queues an unframed packet (dispatch byte, AM header, payload); resolves when the mote ACKs it or the retries run out. */
  send(data: Uint8Array): Promise<CommandResult> {
    return new Promise((resolve) => {
      this.queue.push({ data, resolve });
      if (!this.busy) void this.pump();
    });
  }

  /** An ACK frame from the mote. */
  onAck(seq: number): void {
    if (this.waiting && this.waiting.seq === seq) this.waiting.wake();
    else this.counts.strayAcks++;
  }

  private async pump(): Promise<void> {
    this.busy = true;
    while (this.queue.length) {
      const job = this.queue.shift()!;
      job.resolve(await this.transmit(job.data));
    }
    this.busy = false;
  }

  private async transmit(data: Uint8Array): Promise<CommandResult> {
    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) & 0xff;
    const frame = encodeFrame(SERIAL_PROTO_PACKET_ACK, seq, data);
    const timeout = this.options.ackTimeoutMs ?? 250;
    const tries = 1 + (this.options.retries ?? 5);
    const t0 = performance.now();
    this.counts.sent++;
    let attempts = 0;
    let lastError: string | undefined;
    for (let i = 0; i < tries; i++) {
      let acked = false;
      const ack = new Promise<void>((wake) => {
        this.waiting = {
          seq,
          wake: () => {
            acked = true;
            wake();
          },
        };
      });
      try {
        attempts++;
        this.counts.frames++;
        await this.options.write(frame);
      } catch (e) {
        lastError = (e as Error).message;
        this.waiting = undefined;
        break; // the port is not open: no point retrying now
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ack, new Promise<void>((r) => (timer = setTimeout(r, timeout)))]);
      clearTimeout(timer);
      this.waiting = undefined;
      if (acked) {
        this.counts.acked++;
        return { port: this.options.port, ok: true, seq, attempts, ms: performance.now() - t0 };
      }
      lastError = `no ACK after ${attempts} ${attempts === 1 ? "try" : "tries"} (${timeout} ms each)`;
    }
    this.counts.failed++;
    return { port: this.options.port, ok: false, seq, attempts, ms: performance.now() - t0, error: lastError };
  }
}
