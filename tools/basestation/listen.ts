/**
 * `mote listen`: every packet as it arrives, as TinyOS's Listen and MsgReader
 * print them: the time, the AM header, the raw bytes and, for message types
 * the catalog knows, the decoded fields. Sources are named as TinyOS names
 * them (MOTECOM): a serial port (`/dev/ttyUSB0`, `serial@/dev/ttyUSB0:115200`)
 * or a SerialForwarder (`sf@localhost:9002`).
 */
import { type AmPacket, parseAmPacket, SerialReader } from "../serial/index.ts";
import type { MessageCatalog } from "./messages.ts";
import { SupervisedPort } from "./port.ts";
import { SfClient } from "./sf.ts";

export type Source = { readonly kind: "serial"; readonly path: string; readonly baud: number } | { readonly kind: "sf"; readonly host: string; readonly port: number };

/** Parses `serial@path[:baud]`, `sf@host:port` or a plain path. */
export function parseSource(text: string, defaultBaud = 115200): Source {
  const sf = /^sf@(.+):(\d{1,5})$/.exec(text);
  if (sf) {
    const port = Number(sf[2]);
    if (port < 1 || port > 65535) throw new Error(`${text}: the port must be 1..65535`);
    return { kind: "sf", host: sf[1]!.replace(/^\[(.*)\]$/, "$1"), port };
  }
  if (text.startsWith("sf@")) throw new Error(`${text}: a SerialForwarder source is sf@host:port, e.g. sf@localhost:9002`);
  const serial = /^serial@(.+?)(?::(\d+))?$/.exec(text);
  if (serial) return { kind: "serial", path: serial[1]!, baud: serial[2] ? Number(serial[2]) : defaultBaud };
  if (/^[a-z]+@/.test(text)) throw new Error(`${text}: unknown source kind (use serial@/dev/ttyUSB0:115200, sf@host:port, or a port path)`);
  return { kind: "serial", path: text, baud: defaultBaud };
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");
const hex4 = (n: number) => n.toString(16).padStart(4, "0");

function timeOf(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function fieldsText(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(" ")}]` : typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" ");
}

/** One packet as Listen (raw bytes) and MsgReader (fields) show it. */
export function formatPacket(p: AmPacket, raw: Uint8Array, t: number, catalog: MessageCatalog): string {
  const bytes = [...raw].map(hex2).join(" ");
  let line = `${timeOf(t)}  dest ${hex4(p.dest)} src ${hex4(p.src)} len ${p.payload.length} grp ${hex2(p.group)} type ${hex2(p.type)}${p.protocol === 0x44 ? ` (0x44 seq ${p.seq})` : ""}\n    ${bytes}`;
  const decoded = catalog.decode(p);
  if (decoded) line += `\n    ${decoded.profile.message.name}: ${fieldsText(decoded.value)}`;
  return line;
}

export function packetJson(p: AmPacket, raw: Uint8Array, t: number, catalog: MessageCatalog): string {
  const decoded = catalog.decode(p);
  return JSON.stringify({
    time: new Date(t).toISOString(),
    dest: p.dest,
    src: p.src,
    length: p.payload.length,
    group: p.group,
    type: p.type,
    raw: Buffer.from(raw).toString("hex"),
    ...(decoded ? { message: decoded.profile.message.name, fields: decoded.value } : {}),
  });
}

export interface ListenOptions {
  readonly source: Source;
  readonly catalog: MessageCatalog;
  readonly json?: boolean;
  readonly out: (line: string) => void;
  readonly log: (line: string) => void;
}

export interface Listener {
  /** Resolves when the source ends (a SerialForwarder closing); a serial port is retried until `close`. */
  readonly done: Promise<void>;
  readonly stats: () => Record<string, unknown>;
  close(): Promise<void>;
}

export async function listen(options: ListenOptions): Promise<Listener> {
  const { source, catalog, out } = options;
  let packets = 0;
  const show = (p: AmPacket, raw: Uint8Array) => {
    packets++;
    const t = Date.now();
    out(options.json ? packetJson(p, raw, t, catalog) : formatPacket(p, raw, t, catalog));
  };
  if (source.kind === "sf") {
    let bad = 0;
    const client = await SfClient.connect(source.host, source.port, (data) => {
      const p = parseAmPacket(data);
      if (typeof p === "number") bad++;
      else show(p, data);
    });
    options.log(`listening to the SerialForwarder at ${source.host}:${source.port}`);
    return { done: client.closed, stats: () => ({ packets, notActiveMessages: bad }), close: () => client.close() };
  }
  const reader = new SerialReader({
    onPacket: (p) => {
      const raw = new Uint8Array(8 + p.payload.length);
      raw.set([0, p.dest >> 8, p.dest & 0xff, p.src >> 8, p.src & 0xff, p.payload.length, p.group, p.type]);
      raw.set(p.payload, 8);
      show(p, raw);
    },
  });
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  let lastLine = "";
  const port = new SupervisedPort({
    path: source.path,
    baud: source.baud,
    onData: (chunk) => reader.push(chunk),
    onStatus: (info) => {
      if (info.status === "open") reader.reset();
      const line =
        info.status === "open"
          ? `listening to ${info.path} at ${info.baud} baud`
          : info.status === "retrying"
            ? `${info.problem?.message}; ${info.problem?.advice}. Retrying`
            : "";
      if (line && line !== lastLine) options.log(line);
      lastLine = line;
    },
  });
  await port.start();
  return {
    done,
    stats: () => ({ ...reader.stats }),
    close: async () => {
      await port.close();
      closed();
    },
  };
}
