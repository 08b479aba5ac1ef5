/**
 * The base station's HTTP server (@tinyhttp/app): the JSON API, CSV and
 * JSON export, the live event stream (server-sent events) and the
 * dashboard's static files.
 *
 * Safe by default: it binds 127.0.0.1 unless told otherwise; while bound to
 * a loopback address it answers only requests addressed to a loopback host
 * name (so a web page cannot reach it through DNS rebinding); endpoints that
 * send anything to the motes need the token (`Authorization: Bearer <token>`
 * or `X-Mote-Token`); every parameter is checked and a bad one is a 400 with
 * `{"error": "...", "parameter": "<name>"}`.
 */
import { App, type Request, type Response } from "@tinyhttp/app";
import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SseHub } from "./sse.ts";
import { type BaseStation, InputError, type SeriesUpdate } from "./station.ts";
import type { FieldInfo } from "./storage.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const UPLOT = path.join(HERE, "../../node_modules/uplot/dist");

export interface HttpOptions {
  readonly host: string;
  /** 0 for any free port. */
  readonly port: number;
  readonly token: string;
  /** Most points per series in one live event (the newest are kept). Default 500. */
  readonly maxLivePoints?: number;
}

export interface HttpServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly sse: SseHub;
  close(): Promise<void>;
}

/** A compact JSON answer. */
function json(res: Response, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
  res.end(text);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

/** Query parameters, each checked; unknown ones are refused. */
class Params {
  private readonly q: URLSearchParams;
  constructor(req: Request, allowed: readonly string[]) {
    this.q = new URL(req.url, "http://x").searchParams;
    for (const k of new Set(this.q.keys())) {
      if (!allowed.includes(k)) throw new InputError(k, `unknown parameter \`${k}'${allowed.length ? ` (allowed: ${allowed.join(", ")})` : ""}`);
      if (this.q.getAll(k).length > 1) throw new InputError(k, `${k} is given more than once`);
    }
  }

  has(name: string): boolean {
    return this.q.has(name);
  }

  str(name: string): string | undefined {
    const v = this.q.get(name);
    if (v === null) return undefined;
    if (v === "" || v.length > 200) throw new InputError(name, `${name} must be a non-empty string of at most 200 characters`);
    return v;
  }

  int(name: string, min: number, max: number, fallback?: number): number | undefined {
    const v = this.q.get(name);
    if (v === null) return fallback;
    const n = /^\d+$/.test(v) ? Number(v) : /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v.slice(2), 16) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new InputError(name, `${name} must be an integer ${min}..${max}, got \`${v.slice(0, 40)}'`);
    return n;
  }

  required(name: string, min: number, max: number): number {
    if (!this.q.has(name)) throw new InputError(name, `${name} is required (an integer ${min}..${max})`);
    return this.int(name, min, max)!;
  }

  /** A time: ms since the epoch, an ISO 8601 date, or relative to now (`-15m`, `-2h`, `-1d`, `now`). */
  time(name: string, fallback: number): number {
    const v = this.q.get(name);
    if (v === null) return fallback;
    const now = Date.now();
    if (v === "now") return now;
    const rel = /^-(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v);
    if (rel) return now - Number(rel[1]) * { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[rel[2] as "ms"];
    if (/^\d{1,15}$/.test(v)) return Number(v);
    if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t;
    }
    throw new InputError(name, `${name} must be a time: milliseconds since 1970, an ISO date (2024-05-01T12:00:00Z) or relative (-15m, -2h, -1d)`);
  }
}

function fieldsFor(station: BaseStation, p: Params): FieldInfo[] | undefined {
  const field = p.str("field");
  const message = p.str("message");
  if (message !== undefined && !station.catalog.byMessageName(message) && !station.storage.fields().some((f) => f.message === message)) {
    throw new InputError("message", `no message \`${message}' is known`);
  }
  if (field === undefined) {
    return message === undefined ? undefined : station.storage.fields().filter((f) => f.message === message);
  }
  const fields = station.storage.fieldIdsNamed(field, message);
  if (fields.length === 0) {
    const known = [...new Set(station.storage.fields().map((f) => f.field))];
    throw new InputError("field", `no readings of field \`${field}' are stored${known.length ? ` (known: ${known.join(", ")})` : ""}`);
  }
  return fields;
}

const STATIC: Record<string, { file: string; type: string }> = {
  "/": { file: path.join(HERE, "dashboard/index.html"), type: "text/html; charset=utf-8" },
  "/app.js": { file: path.join(HERE, "dashboard/app.js"), type: "text/javascript; charset=utf-8" },
  "/style.css": { file: path.join(HERE, "dashboard/style.css"), type: "text/css; charset=utf-8" },
  "/vendor/uPlot.iife.min.js": { file: path.join(UPLOT, "uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
  "/vendor/uPlot.min.css": { file: path.join(UPLOT, "uPlot.min.css"), type: "text/css; charset=utf-8" },
};

const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const isLoopback = (host: string) => host === "::1" || host.startsWith("127.") || host === "localhost";

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes and waits for the socket when its buffer is full. */
function write(res: Response, text: string): Promise<void> | undefined {
  if (res.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

export async function startHttp(station: BaseStation, options: HttpOptions): Promise<HttpServer> {
  const sse = new SseHub();
  const files = new Map<string, Buffer>();
  for (const [route, f] of Object.entries(STATIC)) files.set(route, readFileSync(f.file));
  const token = Buffer.from(options.token);
  const maxLive = options.maxLivePoints ?? 500;
  const loopbackOnly = isLoopback(options.host);

  const sendError = (res: Response, e: unknown) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof InputError) {
      json(res, { error: e.message, parameter: e.parameter }, 400);
    } else if (e instanceof HttpError) {
      json(res, { error: e.message, ...(e.parameter ? { parameter: e.parameter } : {}) }, e.status);
    } else {
      json(res, { error: (e as Error).message ?? String(e) }, 500);
    }
  };

  const app = new App({
    noMatchHandler: (req: Request, res: Response) => {
      json(res, { error: `no such endpoint: ${req.method} ${req.path} (GET /api lists them)` }, 404);
    },
    onError: (err: unknown, _req: Request, res: Response) => sendError(res, err),
  });

  /** Wraps a handler: errors become JSON answers. */
  const h =
    (f: (req: Request, res: Response) => unknown) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await f(req, res);
      } catch (e) {
        sendError(res, e);
      }
    };

  const requireToken = (req: Request) => {
    const auth = req.headers.authorization;
    const given = auth?.startsWith("Bearer ") ? auth.slice(7) : (req.headers["x-mote-token"] as string | undefined);
    const g = Buffer.from(given ?? "");
    if (!given || g.length !== token.length || !timingSafeEqual(g, token)) {
      throw new HttpError(401, "this endpoint sends to the motes and needs the base station's token (printed when it started): Authorization: Bearer <token>", "token");
    }
  };

  const readJson = (req: Request): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const type = req.headers["content-type"] ?? "";
      if (!/^application\/json\b/i.test(type)) {
        reject(new InputError("body", "send the command as JSON (Content-Type: application/json)"));
        req.resume();
        return;
      }
      let size = 0;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > 65536) {
          reject(new HttpError(413, "the body is larger than 64 KB", "body"));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch (e) {
          reject(new InputError("body", `the body is not valid JSON: ${(e as Error).message}`));
        }
      });
      req.on("error", reject);
    });

  app.use((req: Request, res: Response, next?: () => void) => {
    if (loopbackOnly) {
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      if (!LOOPBACK_NAMES.has(host)) {
        json(res, { error: `this base station answers only requests for 127.0.0.1 or localhost, not \`${host.slice(0, 60)}'` }, 403);
        return;
      }
    }
    res.setHeader("X-Content-Type-Options", "nosniff");
    next?.();
  });

  for (const [route, f] of Object.entries(STATIC)) {
    app.get(route, (_req: Request, res: Response) => {
      res.setHeader("Content-Type", f.type);
      res.setHeader("Cache-Control", "no-cache");
      res.end(files.get(route));
    });
  }

  app.get(
    "/api",
    h((req, res) => {
      new Params(req, []);
      json(res, {
        station: station.station,
        endpoints: [
          "GET /api/motes",
          "GET /api/motes/:mote",
          "GET /api/latest?mote=&field=",
          "GET /api/history?mote=&field=&message=&from=&to=&limit=",
          "GET /api/packets?mote=&type=&from=&to=&limit=",
          "GET /api/stats",
          "GET /api/ports",
          "GET /api/tree",
          "GET /api/messages",
          "GET /api/commands",
          "GET /api/export.csv?mote=&field=&message=&from=&to=",
          "GET /api/export.json?mote=&field=&message=&from=&to=",
          "GET /api/events (server-sent events: hello, readings, motes, port, command)",
          "POST /api/command (token) {interval} | {message, fields} | {type, payload}, with optional dest, group, port",
        ],
      });
    }),
  );

  app.get(
    "/api/motes",
    h((req, res) => {
      new Params(req, []);
      json(res, station.moteList());
    }),
  );

  app.get(
    "/api/motes/:mote",
    h((req, res) => {
      new Params(req, []);
      const v = req.params.mote ?? "";
      const id = /^\d{1,5}$/.test(v) ? Number(v) : -1;
      if (id < 0 || id > 0xffff) throw new InputError("mote", "mote must be an integer 0..65535");
      const m = station.mote(id);
      if (!m) throw new HttpError(404, `mote ${id} has not been heard`, "mote");
      json(res, m);
    }),
  );

  app.get(
    "/api/latest",
    h((req, res) => {
      const p = new Params(req, ["mote", "field"]);
      const mote = p.int("mote", 0, 0xffff);
      const field = p.str("field");
      const out: { mote: number; field: string; message: string; unit: string; t: number; value: number }[] = [];
      for (const m of station.moteList()) {
        if (mote !== undefined && m.mote !== mote) continue;
        for (const [f, l] of Object.entries(m.latest)) if (field === undefined || f === field) out.push({ mote: m.mote, field: f, ...l });
      }
      json(res, out);
    }),
  );

  app.get(
    "/api/history",
    h((req, res) => {
      const p = new Params(req, ["mote", "field", "message", "from", "to", "limit"]);
      const mote = p.required("mote", 0, 0xffff);
      if (!p.has("field")) throw new InputError("field", "field is required (e.g. readings)");
      const fields = fieldsFor(station, p)!;
      const to = p.time("to", Date.now());
      const from = p.time("from", 0);
      if (from > to) throw new InputError("from", "from is after to");
      const limit = p.int("limit", 1, 1_000_000, 10_000)!;
      const points = station.storage.history(mote, fields, from, to, limit);
      json(res, { mote, field: fields[0]!.field, unit: fields[0]!.unit, from, to, points: points.map((x) => [x.t, x.value]) });
    }),
  );

  app.get(
    "/api/packets",
    h((req, res) => {
      const p = new Params(req, ["mote", "type", "from", "to", "limit"]);
      const mote = p.int("mote", 0, 0xffff);
      const type = p.int("type", 0, 0xff);
      const to = p.time("to", Date.now());
      const from = p.time("from", 0);
      const limit = p.int("limit", 1, 10_000, 100)!;
      const rows = station.storage.packets({ ...(mote !== undefined ? { mote } : {}), ...(type !== undefined ? { type } : {}), from, to, limit });
      json(res, 
        rows.map((r) => {
          let decoded: unknown;
          if (r.message) {
            const profile = station.catalog.byMessageName(r.message);
            if (profile) decoded = station.catalog.decode({ ...r, payload: r.raw.subarray(8), protocol: 0x45, seq: -1 })?.value;
          }
          return { ...r, raw: Buffer.from(r.raw).toString("hex"), ...(decoded ? { decoded } : {}) };
        }),
      );
    }),
  );

  app.get(
    "/api/stats",
    h((req, res) => {
      new Params(req, []);
      json(res, { ...station.stats(), http: { clients: sse.size, droppedClients: sse.dropped } });
    }),
  );
  app.get(
    "/api/ports",
    h((req, res) => {
      new Params(req, []);
      json(res, station.portList());
    }),
  );
  app.get(
    "/api/tree",
    h((req, res) => {
      new Params(req, []);
      json(res, station.tree());
    }),
  );
  app.get(
    "/api/messages",
    h((req, res) => {
      new Params(req, []);
      json(res, station.catalog.describe());
    }),
  );
  app.get(
    "/api/commands",
    h((req, res) => {
      new Params(req, []);
      json(res, station.commandLog);
    }),
  );

  const exporter = (format: "csv" | "json") =>
    h(async (req, res) => {
      const p = new Params(req, ["mote", "field", "message", "from", "to"]);
      const mote = p.int("mote", 0, 0xffff);
      const fields = fieldsFor(station, p);
      const to = p.time("to", Date.now());
      const from = p.time("from", 0);
      if (from > to) throw new InputError("from", "from is after to");
      const name = `readings${mote !== undefined ? `-mote${mote}` : ""}.${format}`;
      res.writeHead(200, {
        "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name}"`,
        "Cache-Control": "no-store",
      });
      if (format === "csv") await write(res, "time,time_ms,mote,message,field,unit,value\n");
      else await write(res, "[");
      let after: { t: number; row: number } | undefined;
      let first = true;
      for (;;) {
        const rows = station.storage.exportPage({ ...(mote !== undefined ? { mote } : {}), ...(fields ? { fields } : {}), from, to }, after, 5000);
        if (rows.length === 0) break;
        let text = "";
        for (const r of rows) {
          if (format === "csv") {
            text += `${new Date(r.t).toISOString()},${r.t},${r.mote},${csvCell(r.message)},${csvCell(r.field)},${csvCell(r.unit)},${r.value}\n`;
          } else {
            text += `${first ? "" : ","}\n${JSON.stringify({ time: new Date(r.t).toISOString(), t: r.t, mote: r.mote, message: r.message, field: r.field, unit: r.unit, value: r.value })}`;
            first = false;
          }
        }
        const last = rows.at(-1)!;
        after = { t: last.t, row: last.row };
        await write(res, text);
        if (res.destroyed) return;
        if (rows.length < 5000) break;
      }
      res.end(format === "json" ? "\n]\n" : "");
    });
  app.get("/api/export.csv", exporter("csv"));
  app.get("/api/export.json", exporter("json"));

  app.get(
    "/api/events",
    h((req, res) => {
      new Params(req, []);
      sse.add(res, [{ event: "hello", data: { station: station.station, motes: station.moteList(), ports: station.portList(), messages: station.catalog.describe(), commands: station.commandLog.slice(-10) } }]);
    }),
  );

  app.post(
    "/api/command",
    h(async (req, res) => {
      requireToken(req);
      new Params(req, []);
      const body = await readJson(req);
      const spec = station.parseCommand(body);
      const record = await station.sendCommand(spec, "http");
      const ok = record.results.length > 0 && record.results.every((r) => r.ok);
      const notOpen = record.results.every((r) => !r.ok && r.attempts <= 1 && /not open/.test(r.error ?? ""));
      json(res, record, ok ? 200 : notOpen ? 503 : 504);
    }),
  );

  // Live events: readings once stored, statistics, ports, commands.
  const off = station.on((e) => {
    switch (e.kind) {
      case "readings":
        sse.send("readings", {
          committed: e.committed,
          series: e.series.map((s): SeriesUpdate => (s.points.length > maxLive ? { ...s, points: s.points.slice(-maxLive) } : s)),
        });
        break;
      case "motes":
        sse.send("motes", e.motes);
        break;
      case "port":
        sse.send("port", e.port);
        break;
      case "command":
        sse.send("command", e.command);
        break;
    }
  });

  const server: Server = createServer((req, res) => app.attach(req as Request, res as unknown as Response));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") reject(new Error(`cannot serve HTTP on ${options.host}:${options.port}: the port is in use (another base station?); choose another with --http ${options.host}:PORT`));
      else if (e.code === "EACCES") reject(new Error(`cannot serve HTTP on ${options.host}:${options.port}: permission denied (ports below 1024 need privileges)`));
      else if (e.code === "EADDRNOTAVAIL") reject(new Error(`cannot serve HTTP on ${options.host}: no such address on this machine`));
      else reject(e);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${hostForUrl}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    sse,
    close: async () => {
      off();
      sse.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
