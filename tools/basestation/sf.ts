/**
 * TinyOS's SerialForwarder protocol over TCP, both ends.
 *
 * On connect each side sends `55 20` ('U', protocol version ' ') and checks
 * the other's; then every packet is one length byte (1..255) and that many
 * bytes: the dispatch byte, the AM header and the payload, without framing
 * or CRC. The server sends every serial packet to every client and sends
 * every client's packet to the motes (0x44, ACKed, with retries, as
 * TinyOS's sf does). TinyOS's tools attach with `MOTECOM=sf@host:port`.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import type { BaseStation } from "./station.ts";

const HELLO = Buffer.from([0x55, 0x20]);
const MAX_BUFFERED = 1024 * 1024;

/** Splits a SerialForwarder byte stream (after the handshake) into packets. */
export class SfPacketParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, onPacket: (data: Uint8Array) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let at = 0;
    while (at < this.buf.length) {
      const n = this.buf[at]!;
      if (n === 0) {
        at++; // not a packet; skip (TinyOS never sends one)
        continue;
      }
      if (at + 1 + n > this.buf.length) break;
      onPacket(Uint8Array.prototype.slice.call(this.buf, at + 1, at + 1 + n));
      at += 1 + n;
    }
    this.buf = this.buf.subarray(at);
  }
}

/** One length-prefixed packet. */
export function sfPacket(data: Uint8Array): Buffer {
  if (data.length < 1 || data.length > 255) throw new RangeError(`a SerialForwarder packet holds 1..255 bytes, not ${data.length}`);
  const out = Buffer.alloc(1 + data.length);
  out[0] = data.length;
  out.set(data, 1);
  return out;
}

/** Reads the peer's `55 20`; resolves with what followed it. */
function handshake(socket: Socket, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error("no SerialForwarder handshake (55 20) within the time allowed")), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      socket.off("data", onData);
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 2) return;
      clearTimeout(timer);
      socket.off("data", onData);
      if (got[0] !== 0x55 || got[1]! < 0x20) {
        reject(new Error(`not a SerialForwarder peer: it sent ${got.subarray(0, 2).toString("hex")} instead of 5520`));
        return;
      }
      resolve(got.subarray(2));
    };
    socket.on("data", onData);
    socket.once("close", () => fail(new Error("the connection closed during the handshake")));
  });
}

export interface SfServer {
  readonly host: string;
  readonly port: number;
  readonly clients: number;
  close(): Promise<void>;
}

export async function startSerialForwarder(station: BaseStation, options: { host: string; port: number; log?: (l: string) => void }): Promise<SfServer> {
  const clients = new Set<Socket>();
  const log = options.log ?? (() => {});
  const server: Server = createServer((socket) => {
    const who = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on("error", () => {});
    socket.write(HELLO);
    handshake(socket, 5000).then(
      (rest) => {
        clients.add(socket);
        log(`serial forwarder: client ${who} attached (${clients.size} now)`);
        const parser = new SfPacketParser();
        const onPacket = (data: Uint8Array) => void station.sendRaw(data, `serial forwarder client ${who}`);
        if (rest.length) parser.push(rest, onPacket);
        socket.on("data", (chunk: Buffer) => parser.push(chunk, onPacket));
        socket.on("close", () => {
          clients.delete(socket);
          log(`serial forwarder: client ${who} left (${clients.size} now)`);
        });
      },
      (e: Error) => {
        log(`serial forwarder: ${who}: ${e.message}`);
        socket.destroy();
      },
    );
  });
  const off = station.onPacket((raw) => {
    if (clients.size === 0) return;
    const packet = sfPacket(raw);
    for (const c of clients) {
      if (c.writableLength > MAX_BUFFERED) {
        log(`serial forwarder: dropping client ${c.remoteAddress}:${c.remotePort}: it does not keep up`);
        clients.delete(c);
        c.destroy();
        continue;
      }
      c.write(packet);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new Error(`cannot serve SerialForwarder on ${options.host}:${options.port}: the port is in use (TinyOS's sf? another base station?)`)
          : e,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    host: addr.address,
    port: addr.port,
    get clients() {
      return clients.size;
    },
    close: async () => {
      off();
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A SerialForwarder client: TinyOS's `sf@host:port` source. */
export class SfClient {
  private constructor(
    private readonly socket: Socket,
    readonly closed: Promise<void>,
  ) {}

  static async connect(host: string, port: number, onPacket: (data: Uint8Array) => void, timeoutMs = 5000): Promise<SfClient> {
    const socket = createConnection({ host, port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", (e) => reject(new Error(`cannot connect to the SerialForwarder at ${host}:${port}: ${e.message}`)));
    });
    socket.on("error", () => {});
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write(HELLO);
    const rest = await handshake(socket, timeoutMs);
    const parser = new SfPacketParser();
    if (rest.length) parser.push(rest, onPacket);
    socket.on("data", (chunk: Buffer) => parser.push(chunk, onPacket));
    return new SfClient(socket, closed);
  }

  /** Sends one packet (dispatch byte, AM header, payload). */
  send(data: Uint8Array): void {
    this.socket.write(sfPacket(data));
  }

  close(): Promise<void> {
    this.socket.end();
    this.socket.destroy();
    return this.closed;
  }
}
