/**
 * What the base station knows about the messages it reads: the typed
 * declarations (`defineMessage`, the same the motes use) plus, per message,
 * a *profile*: which field names the mote, which is a sequence counter,
 * which fields are readings (with units) and which carry routing.
 *
 * Built in: TinyOS's Oscilloscope (AM 0x93, 10 readings),
 * MultihopOscilloscope (AM 0x93, 5 readings: told apart by length), TestSerial
 * (AM 0x89) and CTP routing beacons (AM 0x70, as a mote running
 * BaseStationAppC overhears them: the collection tree). The declarations
 * are the applications' own (components/apps, components/collection).
 * Applications add theirs with `--messages file.ts` (every exported
 * `defineMessage(...)`, plus an optional `profiles` export).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MultihopOscilloscopeMsg } from "../../components/apps/MultihopOscilloscopeMsg.ts";
import { OscilloscopeMsg } from "../../components/apps/OscilloscopeMsg.ts";
import { TestSerialMsg } from "../../components/apps/TestSerialMsg.ts";
import { CtpRoutingFrame } from "../../components/collection/Ctp.ts";
import { decodeMessage, messageLayout } from "../../components/message/MessageCodec.ts";
import type { MessageDefinition } from "../../components/message/TypedMessage.ts";
import type { AmPacket } from "../serial/index.ts";

// The applications' own declarations: one layout, shared by the motes and the PC.
export { CtpRoutingFrame, MultihopOscilloscopeMsg, OscilloscopeMsg, TestSerialMsg };

/** A field recorded as readings. */
export interface SeriesSpec {
  /** A scalar field (one reading) or an array of scalars (one reading per element). */
  readonly field: string;
  /** Shown beside values and sent with MQTT payloads ("raw" for ADC counts). */
  readonly unit?: string;
  /**
   * For an array: the field holding the sampling interval in ms; element i
   * of n was sampled (n - 1 - i) intervals before the packet arrived.
   * Without it the elements are separate fields `name[i]`, all at arrival time.
   */
  readonly intervalField?: string;
}

/** How the base station reads one message type (all fields are optional). */
export interface ProfileSpec {
  /** The message's name (a declaration given with it or already known). */
  readonly message: string;
  /** The field holding the originating mote's id; default the AM source. */
  readonly nodeField?: string;
  /** A counter that goes up by one per packet (u16: wraps at 65536); gaps count as lost packets. */
  readonly seqField?: string;
  /** Fields stored as readings; default every scalar (arrays element by element). */
  readonly series?: readonly SeriesSpec[];
  /** Fields kept as the mote's status (shown, retained over MQTT), e.g. version, interval. */
  readonly statusFields?: readonly string[];
  /** The field naming the mote's parent in the collection tree, and its path cost. */
  readonly parentField?: string;
  readonly etxField?: string;
  /** Record readings at all (false for routing beacons). Default true. */
  readonly readings?: boolean;
}

export interface Profile {
  readonly message: MessageDefinition;
  readonly nodeField: string | undefined;
  readonly seqField: string | undefined;
  readonly seqModulus: number;
  readonly series: readonly SeriesSpec[];
  readonly statusFields: readonly string[];
  readonly parentField: string | undefined;
  readonly etxField: string | undefined;
  readonly readings: boolean;
}

/** One reading out of a packet. */
export interface Reading {
  readonly field: string;
  readonly unit: string;
  readonly value: number;
  /** Milliseconds before the packet's arrival the value was sampled (0 = at arrival). */
  readonly ageMs: number;
}

/** A packet decoded with its declaration and profile. */
export interface DecodedPacket {
  readonly profile: Profile;
  readonly value: Record<string, unknown>;
  /** The mote the data is from (the node field, else the AM source). */
  readonly node: number;
  readonly seq: number | undefined;
  readonly readings: Reading[];
  readonly status: Record<string, number>;
  readonly parent: number | undefined;
  readonly etx: number | undefined;
}

export const BUILTIN_PROFILES: readonly ProfileSpec[] = [
  {
    message: "OscilloscopeMsg",
    nodeField: "id",
    seqField: "count",
    series: [{ field: "readings", unit: "raw", intervalField: "interval" }],
    statusFields: ["version", "interval"],
  },
  {
    message: "MultihopOscilloscopeMsg",
    nodeField: "id",
    seqField: "count",
    series: [{ field: "readings", unit: "raw", intervalField: "interval" }],
    statusFields: ["version", "interval"],
  },
  { message: "TestSerialMsg", seqField: "counter", series: [{ field: "counter", unit: "" }] },
  { message: "CtpRoutingFrame", parentField: "parent", etxField: "etx", readings: false },
];

export const BUILTIN_MESSAGES: readonly MessageDefinition[] = [OscilloscopeMsg, MultihopOscilloscopeMsg, TestSerialMsg, CtpRoutingFrame];

function fieldType(def: MessageDefinition, name: string) {
  return def.struct.fields[name];
}

function scalarBits(def: MessageDefinition, name: string): number | undefined {
  const t = fieldType(def, name);
  return t && t.kind === "scalar" ? t.size * 8 : undefined;
}

/** Checks a profile against its declaration; throws naming what is wrong. */
export function makeProfile(def: MessageDefinition, spec: Partial<ProfileSpec> = {}): Profile {
  const where = `profile of ${def.name}`;
  const needScalar = (what: string, name: string | undefined) => {
    if (name !== undefined && scalarBits(def, name) === undefined) {
      throw new Error(`${where}: ${what} \`${name}' is not a scalar field of ${def.name}`);
    }
  };
  needScalar("nodeField", spec.nodeField);
  needScalar("seqField", spec.seqField);
  needScalar("parentField", spec.parentField);
  needScalar("etxField", spec.etxField);
  for (const s of spec.statusFields ?? []) needScalar("status field", s);
  let series = spec.series;
  if (!series) {
    // Every scalar, arrays element by element.
    series = Object.keys(def.struct.fields).map((field) => ({ field, unit: "" }));
  }
  for (const s of series) {
    const t = fieldType(def, s.field);
    if (!t) throw new Error(`${where}: series field \`${s.field}' is not a field of ${def.name}`);
    if (t.kind === "struct") throw new Error(`${where}: series field \`${s.field}' is a struct; name its scalar fields`);
    if (t.kind === "array" && t.element.kind !== "scalar") throw new Error(`${where}: series field \`${s.field}' must be an array of scalars`);
    if (s.intervalField !== undefined) needScalar("intervalField", s.intervalField);
  }
  const seqBits = spec.seqField === undefined ? 0 : scalarBits(def, spec.seqField)!;
  return {
    message: def,
    nodeField: spec.nodeField,
    seqField: spec.seqField,
    seqModulus: seqBits ? 2 ** seqBits : 0,
    series,
    statusFields: spec.statusFields ?? [],
    parentField: spec.parentField,
    etxField: spec.etxField,
    readings: spec.readings ?? true,
  };
}

/** The reading fields a profile produces (names as stored). */
export function profileFields(p: Profile): { field: string; unit: string }[] {
  if (!p.readings) return [];
  const out: { field: string; unit: string }[] = [];
  for (const s of p.series) {
    const t = fieldType(p.message, s.field)!;
    if (t.kind === "array" && s.intervalField === undefined) {
      for (let i = 0; i < t.length; i++) out.push({ field: `${s.field}[${i}]`, unit: s.unit ?? "" });
    } else {
      out.push({ field: s.field, unit: s.unit ?? "" });
    }
  }
  return out;
}

/**
 * Message declarations and profiles by AM type. Two declarations may share
 * an AM type when their sizes differ (Oscilloscope and MultihopOscilloscope):
 * a packet goes to the one its payload length matches exactly, else to the
 * largest that fits.
 */
export class MessageCatalog {
  private readonly byType = new Map<number, Profile[]>();
  private readonly byName = new Map<string, Profile>();

  constructor(messages: readonly MessageDefinition[] = BUILTIN_MESSAGES, profiles: readonly ProfileSpec[] = BUILTIN_PROFILES) {
    this.addAll(messages, profiles);
  }

  /** Adds declarations (replacing a known one of the same AM type and size, or the same name) with their profiles. */
  addAll(messages: readonly MessageDefinition[], profiles: readonly ProfileSpec[] = []): this {
    const specs = new Map(profiles.map((p) => [p.message, p]));
    for (const def of messages) this.add(def, specs.get(def.name));
    for (const spec of profiles) {
      if (!messages.some((m) => m.name === spec.message)) {
        const known = this.byName.get(spec.message);
        if (!known) throw new Error(`profile for \`${spec.message}': no such message declared`);
        this.add(known.message, spec);
      }
    }
    return this;
  }

  add(def: MessageDefinition, spec?: Partial<ProfileSpec>): this {
    const profile = makeProfile(def, spec);
    const old = this.byName.get(def.name);
    if (old) this.remove(old);
    const list = this.byType.get(def.amType) ?? [];
    const sameSize = list.find((p) => p.message.size === def.size);
    if (sameSize) this.remove(sameSize);
    const now = this.byType.get(def.amType) ?? [];
    now.push(profile);
    now.sort((a, b) => b.message.size - a.message.size);
    this.byType.set(def.amType, now);
    this.byName.set(def.name, profile);
    return this;
  }

  private remove(p: Profile): void {
    this.byName.delete(p.message.name);
    const list = (this.byType.get(p.message.amType) ?? []).filter((x) => x !== p);
    if (list.length) this.byType.set(p.message.amType, list);
    else this.byType.delete(p.message.amType);
  }

  get profiles(): Profile[] {
    return [...this.byName.values()];
  }

  byMessageName(name: string): Profile | undefined {
    return this.byName.get(name);
  }

  /** The profile for a packet of `type` with `length` payload bytes. */
  lookup(type: number, length: number): Profile | undefined {
    const list = this.byType.get(type);
    if (!list) return undefined;
    for (const p of list) if (p.message.size === length) return p;
    for (const p of list) if (p.message.size <= length) return p; // largest first
    return undefined;
  }

  /** Decodes a packet; undefined when no declaration fits it (it is then stored raw). */
  decode(packet: AmPacket): DecodedPacket | undefined {
    const profile = this.lookup(packet.type, packet.payload.length);
    if (!profile) return undefined;
    const value = decodeMessage(profile.message, packet.payload) as Record<string, unknown>;
    const num = (name: string | undefined) => (name === undefined ? undefined : (value[name] as number));
    const status: Record<string, number> = {};
    for (const s of profile.statusFields) status[s] = value[s] as number;
    const readings: Reading[] = [];
    if (profile.readings) {
      for (const s of profile.series) {
        const v = value[s.field];
        const unit = s.unit ?? "";
        if (typeof v === "number") {
          readings.push({ field: s.field, unit, value: v, ageMs: 0 });
        } else if (Array.isArray(v)) {
          const n = v.length;
          if (s.intervalField !== undefined) {
            const interval = value[s.intervalField] as number;
            for (let i = 0; i < n; i++) readings.push({ field: s.field, unit, value: v[i] as number, ageMs: (n - 1 - i) * interval });
          } else {
            for (let i = 0; i < n; i++) readings.push({ field: `${s.field}[${i}]`, unit, value: v[i] as number, ageMs: 0 });
          }
        }
      }
    }
    return {
      profile,
      value,
      node: num(profile.nodeField) ?? packet.src,
      seq: num(profile.seqField),
      readings,
      status,
      parent: num(profile.parentField),
      etx: num(profile.etxField),
    };
  }

  /** For the API and the dashboard's command form. */
  describe(): {
    name: string;
    amType: number;
    size: number;
    fields: { path: string; type: string }[];
    readings: { field: string; unit: string }[];
    nodeField?: string;
    seqField?: string;
  }[] {
    return this.profiles.map((p) => ({
      name: p.message.name,
      amType: p.message.amType,
      size: p.message.size,
      fields: messageLayout(p.message).map((l) => ({ path: l.path, type: l.type })),
      readings: profileFields(p),
      ...(p.nodeField ? { nodeField: p.nodeField } : {}),
      ...(p.seqField ? { seqField: p.seqField } : {}),
    }));
  }
}

const isMessage = (v: unknown): v is MessageDefinition =>
  typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "message" && typeof (v as { amType?: unknown }).amType === "number";

/**
 * Loads an application's message declarations from a module: every exported
 * `defineMessage(...)`, and `profiles` (ProfileSpec[]) when it exports one.
 */
export async function loadMessageModule(file: string): Promise<{ messages: MessageDefinition[]; profiles: ProfileSpec[] }> {
  const url = pathToFileURL(path.resolve(file)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot load messages from ${file}: ${(e as Error).message}`);
  }
  const messages = Object.values(mod).filter(isMessage);
  const profiles = Array.isArray(mod.profiles) ? (mod.profiles as ProfileSpec[]) : [];
  if (messages.length === 0 && profiles.length === 0) {
    throw new Error(`${file} exports no message declarations (defineMessage(...)) and no profiles`);
  }
  return { messages, profiles };
}

/** The built-in catalog plus the declarations in `files`. */
export async function catalogFrom(files: readonly string[] = []): Promise<MessageCatalog> {
  const catalog = new MessageCatalog();
  for (const f of files) {
    const { messages, profiles } = await loadMessageModule(f);
    catalog.addAll(messages, profiles);
  }
  return catalog;
}
