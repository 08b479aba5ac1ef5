/**
 * Forwarding to an MQTT broker (MQTT.js), so that many base stations feed
 * one broker. Topics (`<station>` is this base station's name):
 *
 *   mote/<station>/<node>/<field>   every reading, as it is stored (QoS 0):
 *                                   {"time": ISO 8601, "t": ms, "value": n, "unit": "raw", "message": "OscilloscopeMsg"}
 *   mote/<station>/<node>/status    retained: the mote's statistics (at most once a second per mote)
 *   mote/<station>/status           retained: {"online": true, ...}; the broker publishes {"online": false} if we vanish
 *   mote/<station>/command          subscribed: a command, the same JSON as POST /api/command
 *   mote/all/command                subscribed: a command for every base station
 *   mote/<station>/command/result   the outcome of each command from MQTT: the request's "id" (if it had
 *                                   one), "ok", "command" (the base station's number for it), "results" per port
 *
 * While the broker is away readings are not queued (they are in the
 * database); MQTT.js reconnects by itself and retained status is sent again.
 */
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import { type BaseStation, InputError, type StationEvent } from "./station.ts";
import type { MoteSummary } from "./tracker.ts";

export interface MqttOptions {
  readonly url: string;
  /** Topic root; default "mote". */
  readonly prefix?: string;
  readonly log?: (line: string) => void;
  /** Least time between two status messages of one mote. Default 1000 ms. */
  readonly statusEveryMs?: number;
}

export interface MqttForwarder {
  readonly client: MqttClient;
  readonly topics: { readonly station: string; readonly command: string; readonly commandAll: string; readonly result: string };
  readonly counts: { published: number; commands: number };
  close(): Promise<void>;
}

/** A topic level from a name: MQTT's wildcards and separators are replaced. */
export function topicLevel(name: string): string {
  return name.replace(/[/+#\u0000]/g, "_") || "_";
}

export function startMqtt(station: BaseStation, options: MqttOptions): MqttForwarder {
  const prefix = options.prefix ?? "mote";
  const base = `${prefix}/${topicLevel(station.station)}`;
  const topics = { station: `${base}/status`, command: `${base}/command`, commandAll: `${prefix}/all/command`, result: `${base}/command/result` };
  const log = options.log ?? (() => {});
  const statusEvery = options.statusEveryMs ?? 1000;
  const clientOptions: IClientOptions = {
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    queueQoSZero: false,
    clientId: `mote-bs-${topicLevel(station.station)}-${Math.random().toString(16).slice(2, 10)}`,
    will: { topic: topics.station, payload: Buffer.from(JSON.stringify({ online: false })), qos: 1, retain: true },
  };
  let client: MqttClient;
  try {
    client = connect(options.url, clientOptions);
  } catch (e) {
    throw new Error(`--mqtt ${options.url}: ${(e as Error).message} (give a URL such as mqtt://127.0.0.1:1883)`);
  }
  const counts = { published: 0, commands: 0 };
  const lastStatus = new Map<number, number>();
  const waiting = new Map<number, MoteSummary>();
  let statusTimer: NodeJS.Timeout | undefined;
  let everConnected = false;
  let lastError = "";

  const publishStatus = (m: MoteSummary) => {
    lastStatus.set(m.mote, Date.now());
    const { latest: _latest, ...rest } = m;
    client.publish(`${base}/${m.mote}/status`, JSON.stringify({ ...rest, time: new Date().toISOString() }), { qos: 0, retain: true });
    counts.published++;
  };
  const flushStatus = () => {
    statusTimer = undefined;
    for (const m of waiting.values()) publishStatus(m);
    waiting.clear();
  };

  client.on("connect", () => {
    log(`mqtt: connected to ${options.url}; publishing under ${base}/`);
    everConnected = true;
    lastError = "";
    client.publish(topics.station, JSON.stringify({ online: true, since: new Date(station.startedAt).toISOString(), ports: station.portList().map((p) => p.path) }), {
      qos: 1,
      retain: true,
    });
    client.subscribe([topics.command, topics.commandAll], { qos: 1 });
    for (const m of station.moteList()) publishStatus(m);
  });
  client.on("offline", () => {
    if (everConnected) log(`mqtt: lost the broker at ${options.url}; reconnecting`);
  });
  client.on("error", (e) => {
    if (e.message !== lastError) log(`mqtt: ${options.url}: ${e.message}; retrying`);
    lastError = e.message;
  });
  client.on("message", (topic, payload) => {
    if (topic !== topics.command && topic !== topics.commandAll) return;
    counts.commands++;
    let id: unknown;
    void (async () => {
      try {
        let body: unknown;
        try {
          body = JSON.parse(payload.toString("utf8"));
        } catch (e) {
          throw new InputError("body", `the command is not valid JSON: ${(e as Error).message}`);
        }
        if (body && typeof body === "object" && !Array.isArray(body) && "id" in body) {
          const { id: given, ...rest } = body as Record<string, unknown>;
          id = given;
          body = rest;
        }
        const { id: command, ...record } = await station.sendCommand(station.parseCommand(body), `mqtt ${topic}`);
        const ok = record.results.length > 0 && record.results.every((r) => r.ok);
        client.publish(topics.result, JSON.stringify({ ...record, command, ok, ...(id !== undefined ? { id } : {}) }), { qos: 1 });
      } catch (e) {
        const error = e instanceof InputError ? { error: e.message, parameter: e.parameter } : { error: (e as Error).message };
        client.publish(topics.result, JSON.stringify({ ...(id !== undefined ? { id } : {}), ok: false, ...error }), { qos: 1 });
      }
    })();
  });

  const off = station.on((e: StationEvent) => {
    if (!client.connected) return;
    if (e.kind === "readings") {
      for (const s of e.series) {
        const topic = `${base}/${s.mote}/${topicLevel(s.field)}`;
        for (const [t, value] of s.points) {
          client.publish(topic, JSON.stringify({ time: new Date(t).toISOString(), t, value, unit: s.unit, message: s.message }), { qos: 0 });
          counts.published++;
        }
      }
    } else if (e.kind === "motes") {
      const now = Date.now();
      for (const m of e.motes) {
        if (now - (lastStatus.get(m.mote) ?? 0) >= statusEvery) publishStatus(m);
        else {
          waiting.set(m.mote, m);
          statusTimer ??= setTimeout(flushStatus, statusEvery);
        }
      }
    }
  });

  return {
    client,
    topics,
    counts,
    close: async () => {
      off();
      if (statusTimer) clearTimeout(statusTimer);
      if (client.connected) {
        await new Promise<void>((resolve) =>
          client.publish(topics.station, JSON.stringify({ online: false, stoppedAt: new Date().toISOString() }), { qos: 1, retain: true }, () => resolve()),
        );
      }
      await client.endAsync();
    },
  };
}
