/**
 * Elaboration: run the application's configurations at build time and record
 * the graph of component instances and wires (nesC's instantiation step).
 * Generic components are instantiated per `new`; `unique` numbers densely per
 * key; `uniqueCount` is known after a first pass, so elaboration runs twice
 * when any configuration asks for it.
 */
import type {
  AnyComponent,
  AnyInterface,
  ConfigurationSpec,
  GenericArgument,
  ModuleSpec,
  Parameterized,
} from "../../components/mote.ts";
import type { Diagnostic, SourceLocation } from "./diagnostics.ts";

export type Role = "provider" | "user";

/** One interface of an instance: `provides`/`uses` entry of its spec. */
export interface SlotInfo {
  readonly name: string;
  readonly role: Role;
  readonly iface: AnyInterface;
  /** Parameterized interfaces have a count (undefined: a configuration left it to its inner module). */
  readonly parameterized: boolean;
  readonly count: number | undefined;
  /** A slot the build added: a module's task, wired to the scheduler. */
  readonly task?: string;
}

export interface InstanceNode {
  readonly id: number;
  /** Singletons by name; generic instances as `<creator path>.<Name>#<k>`. */
  readonly path: string;
  readonly component: AnyComponent;
  readonly kind: "module" | "configuration";
  readonly args: readonly GenericArgument[];
  readonly slots: ReadonlyMap<string, SlotInfo>;
  /** The configuration instance that created it with `new` (null for singletons). */
  readonly owner: number | null;
  readonly definedAt: SourceLocation | undefined;
  readonly createdAt: SourceLocation | undefined;
  readonly tasks: readonly string[];
  readonly defaults: readonly string[];
}

/** One side of a wire: an instance's interface, whole or at one index. */
export interface EndRef {
  readonly instance: number;
  readonly slot: string;
  /** The index for `X.at(i)`; null for a non-parameterized interface or a whole one. */
  readonly index: number | null;
  readonly whole: boolean;
}

export interface WireEdge {
  readonly kind: "wire" | "equate";
  /** The configuration instance whose body made it. */
  readonly config: number;
  /** wire: the user; equate: the configuration's own (outer) interface. */
  readonly from: EndRef;
  /** wire: the provider; equate: the inner interface. */
  readonly to: EndRef;
  readonly at: SourceLocation | undefined;
}

export interface ElaboratedGraph {
  readonly root: number;
  readonly instances: readonly InstanceNode[];
  readonly wires: readonly WireEdge[];
  readonly uniqueCounts: ReadonlyMap<string, number>;
  /** MainC's instance, whose `Main` the image calls to boot. */
  readonly main: number;
  readonly diagnostics: readonly Diagnostic[];
}

export interface KernelComponents {
  readonly MainC: AnyComponent;
  readonly TinySchedulerC: AnyComponent;
}

/** Resolves where an Error object (captured at a call) points in the sources. */
export type Locator = (error: Error) => SourceLocation | undefined;

export const TASK_KEY = "TinySchedulerC.TaskBasic";
const RESERVED_SLOTS = new Set(["post", "tasks", "defaults"]);

/** Thrown to stop elaboration at an error that leaves nothing sensible to continue with. */
export class ElaborationStop extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

const endpointMark = Symbol("mote.endpoint");

interface EndpointHandle {
  readonly kind: "endpoint";
  readonly role: Role;
  readonly whole: boolean;
  readonly [endpointMark]: { readonly ref: EndRef; readonly own: boolean; readonly slot: SlotInfo; readonly path: string };
  at?: (index: number) => EndpointHandle;
}

function isComponent(value: unknown): value is AnyComponent {
  return (
    typeof value === "object" &&
    value !== null &&
    ((value as { kind?: unknown }).kind === "module" || (value as { kind?: unknown }).kind === "configuration") &&
    typeof (value as { name?: unknown }).name === "string"
  );
}

function isInterface(value: unknown): value is AnyInterface {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "interface";
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "object") {
    const kind = (value as { kind?: unknown }).kind;
    const name = (value as { name?: unknown }).name;
    if (typeof kind === "string") return `${kind}${typeof name === "string" ? ` ${name}` : ""}`;
    return "an object";
  }
  return `${typeof value} ${String(value)}`;
}

interface PassResult {
  instances: InstanceNode[];
  wires: WireEdge[];
  uniques: Map<string, number>;
  usedUniqueCount: boolean;
  diagnostics: Diagnostic[];
  main: number;
  root: number;
}

/**
 * Elaborates `root`. `knownComponents` lists the names a user could have
 * meant, for the "unknown component" message.
 */
export function elaborate(
  root: unknown,
  kernel: KernelComponents,
  locator: Locator,
  knownComponents: () => readonly string[],
): ElaboratedGraph {
  const first = runPass(root, kernel, locator, knownComponents, undefined);
  if (!first.usedUniqueCount) return finish(first);
  const second = runPass(root, kernel, locator, knownComponents, first.uniques);
  for (const [key, count] of second.uniques) {
    if (first.uniques.get(key) !== count) {
      second.diagnostics.push({
        severity: "error",
        message: `unique("${key}") was called ${count} times, but ${first.uniques.get(key) ?? 0} times when uniqueCount was not yet known: the wiring must not depend on uniqueCount("${key}")`,
      });
    }
  }
  return finish(second);
}

function finish(pass: PassResult): ElaboratedGraph {
  return {
    root: pass.root,
    instances: pass.instances,
    wires: pass.wires,
    uniqueCounts: pass.uniques,
    main: pass.main,
    diagnostics: pass.diagnostics,
  };
}

function runPass(
  root: unknown,
  kernel: KernelComponents,
  locator: Locator,
  knownComponents: () => readonly string[],
  counts: ReadonlyMap<string, number> | undefined,
): PassResult {
  const instances: InstanceNode[] = [];
  const wires: WireEdge[] = [];
  const uniques = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  const singletons = new Map<AnyComponent, InstanceNode>();
  const byName = new Map<string, AnyComponent>();
  const genericCounters = new Map<string, number>();
  const instantiating: AnyComponent[] = [];
  let usedUniqueCount = false;

  const here = (): SourceLocation | undefined => locator(new Error("call site"));
  const definedAt = (component: AnyComponent): SourceLocation | undefined => locator(component.definedAt.stack);

  const error = (message: string, location?: SourceLocation, instance?: string) => {
    diagnostics.push({ severity: "error", message, location, instance });
  };
  const stop = (message: string, location?: SourceLocation, instance?: string): never => {
    throw new ElaborationStop({ severity: "error", message, location, instance });
  };

  const unknownComponent = (value: unknown, call: string, at: SourceLocation | undefined, instance?: string): never => {
    const known = knownComponents();
    return stop(
      `unknown component in ${call}: got ${describe(value)}. Is it imported and exported under that name?` +
        (known.length ? ` Known components: ${known.join(", ")}` : ""),
      at,
      instance,
    );
  };

  const slotsOf = (
    component: AnyComponent,
    spec: ModuleSpec | ConfigurationSpec,
    path: string,
    at: SourceLocation | undefined,
  ): Map<string, SlotInfo> => {
    const slots = new Map<string, SlotInfo>();
    const add = (role: Role, entries: Readonly<Record<string, unknown>> | undefined) => {
      for (const [name, value] of Object.entries(entries ?? {})) {
        const where = definedAt(component) ?? at;
        if (RESERVED_SLOTS.has(name)) {
          error(`interface name \`${name}' is reserved (it names the module's ${name}); rename it with \`${name}X: ...'`, where, path);
          continue;
        }
        if (slots.has(name)) {
          error(`\`${component.name}.${name}' is declared twice (interface names must differ between provides and uses)`, where, path);
          continue;
        }
        let iface: unknown = value;
        let parameterizedSlot = false;
        let count: number | undefined;
        if (typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "parameterized") {
          const p = value as Parameterized;
          iface = p.iface;
          parameterizedSlot = true;
          count = p.count;
          if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
            error(`\`${component.name}.${name}' has an invalid parameterized count ${String(count)}`, where, path);
            count = 0;
          }
          if (count === undefined && component.kind === "module") {
            error(
              `module \`${component.name}' must give the number of indexes of its parameterized interface \`${name}' (parameterized(${describe(p.iface)}, count))`,
              where,
              path,
            );
            count = 0;
          }
        }
        if (!isInterface(iface)) {
          error(`\`${component.name}.${name}' is not an interface (got ${describe(iface)}); import the interface it names`, where, path);
          continue;
        }
        slots.set(name, { name, role, iface, parameterized: parameterizedSlot, count });
      }
    };
    add("provider", spec.provides as Readonly<Record<string, unknown>> | undefined);
    add("user", spec.uses as Readonly<Record<string, unknown>> | undefined);
    return slots;
  };

  const makeEndpoint = (instance: InstanceNode, slot: SlotInfo, own: boolean, index: number | null): EndpointHandle => {
    const whole = slot.parameterized && index === null;
    const ref: EndRef = { instance: instance.id, slot: slot.name, index, whole };
    const handle: EndpointHandle = {
      kind: "endpoint",
      role: slot.role,
      whole,
      [endpointMark]: { ref, own, slot, path: instance.path },
    };
    if (whole) {
      handle.at = (i: number) => {
        const at = here();
        if (typeof i !== "number" || !Number.isInteger(i)) {
          stop(`\`${instance.path}.${slot.name}.at(${String(i)})': an index must be an integer`, at, instance.path);
        }
        if (i < 0 || (slot.count !== undefined && i >= slot.count)) {
          error(
            `constant out of range: \`${instance.path}.${slot.name}' has indexes 0..${(slot.count ?? 0) - 1}, got ${i}` +
              (slot.count === 0 ? " (its count is 0: was uniqueCount given the right key?)" : ""),
            at,
            instance.path,
          );
        }
        return makeEndpoint(instance, slot, own, i);
      };
    }
    return handle;
  };

  const endpointsOf = (instance: InstanceNode, own: boolean, role?: Role): Record<string, EndpointHandle> => {
    const out: Record<string, EndpointHandle> = {};
    for (const slot of instance.slots.values()) {
      if (slot.task) continue;
      if (role && slot.role !== role) continue;
      out[slot.name] = makeEndpoint(instance, slot, own, null);
    }
    return out;
  };

  const handleOf = (value: unknown, call: string, at: SourceLocation | undefined) => {
    if (typeof value === "object" && value !== null && endpointMark in value) {
      return (value as EndpointHandle)[endpointMark];
    }
    return stop(
      `${call} expects interfaces of components, such as \`app.Timer0' or \`c.provides.Leds', but got ${describe(value)}` +
        (value === undefined ? " (is the interface name spelled as the component declares it?)" : ""),
      at,
    );
  };

  const create = (
    component: AnyComponent,
    args: GenericArgument[],
    owner: InstanceNode | null,
    at: SourceLocation | undefined,
  ): InstanceNode => {
    const existing = byName.get(component.name);
    if (existing && existing !== component) {
      stop(
        `two different components are named \`${component.name}' (one component per file, named after it)`,
        definedAt(component) ?? at,
      );
    }
    byName.set(component.name, component);

    let path = component.name;
    if (component.generic) {
      const prefix = owner ? `${owner.path}.` : "";
      const key = `${prefix}${component.name}`;
      const k = genericCounters.get(key) ?? 0;
      genericCounters.set(key, k + 1);
      path = `${key}#${k}`;
    }
    let spec: ModuleSpec | ConfigurationSpec;
    try {
      spec = component.generic
        ? (component.spec as (...a: GenericArgument[]) => ModuleSpec | ConfigurationSpec)(...args)
        : component.spec;
    } catch (e) {
      return stop(`the spec of \`${component.name}' threw: ${(e as Error).message}`, definedAt(component) ?? at, path);
    }
    if (typeof spec !== "object" || spec === null) {
      return stop(`the spec of \`${component.name}' is not an object (got ${describe(spec)})`, definedAt(component) ?? at, path);
    }
    const slots = slotsOf(component, spec, path, at);
    const moduleSpec = spec as ModuleSpec;
    const tasks = component.kind === "module" ? [...(moduleSpec.tasks ?? [])] : [];
    const defaults = component.kind === "module" ? [...(moduleSpec.defaults ?? [])] : [];
    for (const d of defaults) {
      if (!slots.has(d)) {
        error(`\`${component.name}' declares defaults for \`${d}', which is not one of its interfaces`, definedAt(component) ?? at, path);
      }
    }
    const instance: InstanceNode = {
      id: instances.length,
      path,
      component,
      kind: component.kind,
      args,
      slots,
      owner: owner ? owner.id : null,
      definedAt: definedAt(component),
      createdAt: at,
      tasks,
      defaults,
    };
    instances.push(instance);
    if (!component.generic) singletons.set(component, instance);

    if (component.kind === "module" && tasks.length > 0) {
      const scheduler = singleton(kernel.TinySchedulerC, null, at);
      for (const task of tasks) {
        const name = `task:${task}`;
        const taskBasic = scheduler.slots.get("TaskBasic");
        if (!taskBasic) stop("TinySchedulerC has no TaskBasic interface", at);
        slots.set(name, { name, role: "user", iface: taskBasic!.iface, parameterized: false, count: undefined, task });
        const index = nextUnique(TASK_KEY);
        wires.push({
          kind: "wire",
          config: scheduler.id,
          from: { instance: instance.id, slot: name, index: null, whole: false },
          to: { instance: scheduler.id, slot: "TaskBasic", index, whole: false },
          at: instance.definedAt,
        });
      }
    }

    if (component.kind === "configuration") {
      if (instantiating.includes(component)) {
        stop(`component instantiation loop: \`${component.name}' instantiates itself (${[...instantiating.map((x) => x.name), component.name].join(" -> ")})`, at, path);
      }
      instantiating.push(component);
      try {
        const ctx = contextFor(instance);
        (component.body as (c: unknown, ...a: GenericArgument[]) => void)(ctx, ...args);
      } finally {
        instantiating.pop();
      }
    }
    return instance;
  };

  const singleton = (component: AnyComponent, owner: InstanceNode | null, at: SourceLocation | undefined): InstanceNode => {
    return singletons.get(component) ?? create(component, [], owner, at);
  };

  const nextUnique = (key: string): number => {
    const n = uniques.get(key) ?? 0;
    uniques.set(key, n + 1);
    return n;
  };

  const contextFor = (config: InstanceNode) => ({
    provides: endpointsOf(config, true, "provider"),
    uses: endpointsOf(config, true, "user"),
    component(component: unknown) {
      const at = here();
      if (!isComponent(component)) return unknownComponent(component, "c.component(...)", at, config.path);
      if (component.generic) {
        return stop(`generic component \`${component.name}' requires instantiation arguments: write c.new(${component.name}${component.spec.length ? ", ..." : ""})`, at, config.path);
      }
      return endpointsOf(singleton(component, null, at), false);
    },
    new(component: unknown, ...args: unknown[]) {
      const at = here();
      if (!isComponent(component)) return unknownComponent(component, "c.new(...)", at, config.path);
      if (!component.generic) {
        return stop(`component \`${component.name}' is not generic: write c.component(${component.name})`, at, config.path);
      }
      // Function lengths stop at the first default or rest parameter: the spec's is the least, the implementation's may say more.
      const least = component.spec.length;
      const most = Math.max(
        least,
        component.kind === "module" ? component.implementation.length - 2 : component.body.length - 1,
      );
      if (args.length < least || args.length > most) {
        const takes = least === most ? `${least}` : `${least} to ${most}`;
        stop(`too ${args.length > most ? "many" : "few"} arguments for generic component \`${component.name}': it takes ${takes}, got ${args.length}`, at, config.path);
      }
      args.forEach((arg, i) => {
        const ok = typeof arg === "string" || typeof arg === "boolean" || (typeof arg === "number" && Number.isFinite(arg));
        if (!ok) stop(`argument ${i + 1} of \`${component.name}' must be a number, string or boolean known at build time, got ${describe(arg)}`, at, config.path);
      });
      return endpointsOf(create(component, args as GenericArgument[], config, at), false);
    },
    wire(user: unknown, provider: unknown) {
      const at = here();
      const u = handleOf(user, "c.wire(user, provider)", at);
      const p = handleOf(provider, "c.wire(user, provider)", at);
      const name = (h: typeof u) => `${h.path}.${h.slot.name}${h.ref.index !== null ? `[${h.ref.index}]` : ""}`;
      if (u.own || p.own) {
        return error(`\`${name(u.own ? u : p)}' is this configuration's own interface: connect it with c.equate(c.${u.own ? u.slot.role === "user" ? "uses" : "provides" : p.slot.role === "user" ? "uses" : "provides"}.${(u.own ? u : p).slot.name}, inner.X)`, at, config.path);
      }
      if (u.slot.role === "provider" && p.slot.role === "user") {
        return error(`c.wire takes the user first: \`${name(u)}' is provided and \`${name(p)}' is used; write c.wire(${name(p)}, ${name(u)})`, at, config.path);
      }
      if (u.slot.role !== "user") return error(`\`${name(u)}' is a provided interface; the first argument of c.wire must be a used one`, at, config.path);
      if (p.slot.role !== "provider") return error(`\`${name(p)}' is a used interface; the second argument of c.wire must be a provided one`, at, config.path);
      if (!checkMatch(name(u), u.slot, name(p), p.slot, at, config.path)) return;
      if (u.ref.whole !== p.ref.whole) {
        return error(`endpoint is not a parameterised interface: \`${name(u.ref.whole ? p : u)}' is a single interface but \`${name(u.ref.whole ? u : p)}' is a whole parameterized one; pick one index with .at(i)`, at, config.path);
      }
      wires.push({ kind: "wire", config: config.id, from: u.ref, to: p.ref, at });
    },
    equate(outer: unknown, inner: unknown) {
      const at = here();
      const o = handleOf(outer, "c.equate(outer, inner)", at);
      const i = handleOf(inner, "c.equate(outer, inner)", at);
      const name = (h: typeof o) => `${h.path}.${h.slot.name}${h.ref.index !== null ? `[${h.ref.index}]` : ""}`;
      if (!o.own || o.ref.instance !== config.id) {
        return error(`the first argument of c.equate must be this configuration's own interface (c.provides.X or c.uses.X), got \`${name(o)}'`, at, config.path);
      }
      if (i.own) return error(`c.equate connects an own interface to an inner component's; \`${name(i)}' is an own interface too`, at, config.path);
      if (o.slot.role !== i.slot.role) {
        return error(`c.equate joins interfaces of the same direction: \`${name(o)}' is ${o.slot.role === "provider" ? "provided" : "used"} but \`${name(i)}' is ${i.slot.role === "provider" ? "provided" : "used"}`, at, config.path);
      }
      if (!checkMatch(name(o), o.slot, name(i), i.slot, at, config.path)) return;
      if (o.ref.whole !== i.ref.whole) {
        return error(`endpoint is not a parameterised interface: \`${name(o.ref.whole ? i : o)}' is a single interface but \`${name(o.ref.whole ? o : i)}' is a whole parameterized one`, at, config.path);
      }
      wires.push({ kind: "equate", config: config.id, from: o.ref, to: i.ref, at });
    },
    unique(key: unknown) {
      if (typeof key !== "string") return stop(`unique(key) takes a string, got ${describe(key)}`, here(), config.path);
      return nextUnique(key);
    },
    uniqueCount(key: unknown) {
      if (typeof key !== "string") return stop(`uniqueCount(key) takes a string, got ${describe(key)}`, here(), config.path);
      usedUniqueCount = true;
      return counts?.get(key) ?? 0;
    },
  });

  const checkMatch = (a: string, sa: SlotInfo, b: string, sb: SlotInfo, at: SourceLocation | undefined, path: string): boolean => {
    if (sa.iface.name !== sb.iface.name) {
      error(`interface mismatch: \`${a}' is ${sa.iface.name} but \`${b}' is ${sb.iface.name}`, at, path);
      return false;
    }
    return true;
  };

  if (!isComponent(root)) {
    unknownComponent(root, "the top-level configuration", undefined);
  }
  const rootComponent = root as AnyComponent;
  if (rootComponent.kind !== "configuration") {
    stop(`the top-level component must be a configuration (an application such as BlinkAppC), but \`${rootComponent.name}' is a module`, definedAt(rootComponent));
  }
  if (rootComponent.generic) {
    stop(`the top-level configuration \`${rootComponent.name}' is generic; an application's top level cannot take arguments`, definedAt(rootComponent));
  }
  const rootInstance = singleton(rootComponent, null, undefined);
  const mainInstance = singleton(kernel.MainC, null, undefined);
  return { instances, wires, uniques, usedUniqueCount, diagnostics, main: mainInstance.id, root: rootInstance.id };
}
