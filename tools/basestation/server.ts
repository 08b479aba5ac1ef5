/**
 * `mote basestation` as a library: the core (ports, storage, statistics)
 * with the HTTP API and dashboard, MQTT forwarding and the SerialForwarder
 * server, started and stopped together.
 *
 * ```ts
 * const bs = await startBaseStation({ ports: [{ path: "/dev/ttyUSB0" }], db: "readings.sqlite", http: { host: "127.0.0.1", port: 8080 } });
 * console.log(bs.dashboardUrl); // with the token in the fragment
 * await bs.close();
 * ```
 */
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { type HttpServer, startHttp } from "./http.ts";
import { type MqttForwarder, startMqtt } from "./mqtt.ts";
import { type SfServer, startSerialForwarder } from "./sf.ts";
import { BaseStation, type BaseStationOptions } from "./station.ts";

export interface StartOptions extends BaseStationOptions {
  /** The HTTP API and dashboard; default 127.0.0.1:8080. `false` for none. */
  readonly http?: { readonly host: string; readonly port: number } | false;
  /** The token commands need; default a random one. */
  readonly token?: string;
  /** An MQTT broker URL (mqtt://host:1883). */
  readonly mqtt?: string;
  /** A SerialForwarder server. */
  readonly sf?: { readonly host: string; readonly port: number };
  /**
   * Write `<db>.station.json` (URL, token, pid; readable by the owner only)
   * so that `mote basestation send` finds this base station. Default true
   * for a database file.
   */
  readonly stateFile?: boolean;
}

export interface RunningBaseStation {
  readonly station: BaseStation;
  readonly token: string;
  readonly http?: HttpServer;
  readonly mqtt?: MqttForwarder;
  readonly sf?: SfServer;
  /** The dashboard's address with the token in its fragment (not sent to the server; the page keeps it). */
  readonly dashboardUrl?: string;
  readonly stateFile?: string;
  close(): Promise<void>;
}

export function newToken(): string {
  return randomBytes(18).toString("base64url");
}

export async function startBaseStation(options: StartOptions): Promise<RunningBaseStation> {
  const log = options.log ?? ((line: string) => console.error(line));
  const station = await BaseStation.start({ ...options, station: options.station ?? hostname(), log });
  const token = options.token ?? newToken();
  let http: HttpServer | undefined;
  let mqtt: MqttForwarder | undefined;
  let sf: SfServer | undefined;
  let stateFile: string | undefined;
  const close = async () => {
    if (stateFile) rmSync(stateFile, { force: true });
    await mqtt?.close().catch(() => {});
    await sf?.close();
    await http?.close();
    await station.close();
  };
  try {
    const httpOpt = options.http === undefined ? { host: "127.0.0.1", port: 8080 } : options.http;
    if (httpOpt) http = await startHttp(station, { ...httpOpt, token });
    if (options.sf) sf = await startSerialForwarder(station, { ...options.sf, log });
    if (options.mqtt) mqtt = startMqtt(station, { url: options.mqtt, log });
    if (http && options.db !== ":memory:" && options.stateFile !== false) {
      stateFile = `${options.db}.station.json`;
      writeFileSync(stateFile, JSON.stringify({ url: http.url, token, pid: process.pid, station: station.station }), { mode: 0o600 });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    station,
    token,
    ...(http ? { http, dashboardUrl: `${http.url}/#token=${token}` } : {}),
    ...(mqtt ? { mqtt } : {}),
    ...(sf ? { sf } : {}),
    ...(stateFile ? { stateFile } : {}),
    close,
  };
}
