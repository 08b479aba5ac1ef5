/**
 * Server-sent events: every connected dashboard gets each event as it
 * happens. A client that stops reading (its socket buffer grows past a
 * limit) is dropped rather than allowed to grow the server's memory.
 */
import type { ServerResponse } from "node:http";

const MAX_BUFFERED = 4 * 1024 * 1024;

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Clients dropped for not keeping up. */
  dropped = 0;

  constructor(heartbeatMs = 15_000) {
    this.heartbeat = setInterval(() => this.raw(": keep-alive\n\n"), heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over a response: headers, then events until the client goes. `hello` events go to this client only. */
  add(res: ServerResponse, hello: readonly { event: string; data: unknown }[] = []): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.socket?.setNoDelay(true);
    res.write("retry: 2000\n\n");
    for (const h of hello) res.write(format(h.event, h.data));
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.raw(format(event, data));
  }

  private raw(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.dropped++;
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

function format(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
