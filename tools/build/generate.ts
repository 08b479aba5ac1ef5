/**
 * Generates the glue module: it creates every module instance once, then
 * binds each caller straight to its callee's implementation object. Only
 * fan-out, parameterized dispatch and index binding need a helper, and those
 * helpers build their functions once at start, never per call.
 */
import type { CombineMarker } from "../../components/mote.ts";
import type { Connection, ConnectedGraph, IndexSel } from "./connect.ts";
import type { Diagnostic } from "./diagnostics.ts";
import type { ElaboratedGraph, InstanceNode, SlotInfo } from "./elaborate.ts";

export interface GlueModule {
  /** ES module source; its default export is the image factory `(host) => void`. */
  readonly source: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly moduleInstances: number;
  readonly tasks: number;
}

/** Where a module component's implementation is exported from. */
export type ModuleSource = (instance: InstanceNode) => { file: string; exportName: string };

interface Target {
  readonly instance: number;
  readonly slot: string;
  readonly index: IndexSel;
}

interface Outgoing {
  readonly myIndex: IndexSel;
  readonly target: Target;
}

// The helpers the glue may need, each written for Espruino's dialect (no rest, spread or default parameters).
const HELPERS: Record<string, string> = {
  // Binds index k as the first argument of every function of o: a single
  // user calling one index of a parameterized provider (timer starts, task posts).
  bindIndex: `function bindIndex(o, k) {
  var r = {};
  // A bound function passes the caller's arguments through as they are: no padding, no copying.
  for (var n in o) r[n] = o[n].bind(null, k);
  return r;
}`,
  // Calls every object's function in turn and combines the results.
  // A loop rather than list.map with a callback: no function object made per fanned-out function while starting.
  fanOut: `function fanOut(list, combine) {
  var r = {}, n, fs, i;
  for (n in list[0]) {
    fs = [];
    for (i = 0; i < list.length; i++) fs.push(list[i][n]);
    r[n] = fanOne(fs, combine[n]);
  }
  return r;
}
function fanOne(fs, cb) {
  return function (a, b, c, d, e, g, h) {
    var x = fs[0](a, b, c, d, e, g, h);
    for (var i = 1; i < fs.length; i++) {
      var y = fs[i](a, b, c, d, e, g, h);
      x = cb ? cb(x, y) : y;
    }
    return x;
  };
}`,
  // A parameterized interface's side: index i goes to handlers[i], else to fallback(i, ...).
  // The build knows the interface's function names: `names` has them as keys.
  dispatch: `function dispatch(handlers, names, fallback) {
  var r = {}, n;
  for (n in names) r[n] = dispatchOne(handlers, n, fallback && fallback[n]);
  return r;
}
function dispatchOne(hs, n, fb) {
  // Events without arguments (fired, runTask) are the per-event path: no padding for them.
  var fs = {}, i, arity = fb ? fb.length - 1 : 0;
  for (i in hs) {
    fs[i] = hs[i][n];
    if (fs[i] && fs[i].length > arity) arity = fs[i].length;
  }
  return arity ? function (i, a, b, c, d, e, g, h) { var f = fs[i]; return f ? f(a, b, c, d, e, g, h) : fb(i, a, b, c, d, e, g, h); }
    : function (i) { var f = fs[i]; return f ? f() : fb(i); };
}`,
};

export interface GlueOptions {
  /**
   * Whether modules get a host object (host-driven platforms: sim, node).
   * A board's image starts with no host, so its modules are not passed one.
   */
  readonly host: boolean;
}

export function generateGlue(graph: ElaboratedGraph, connected: ConnectedGraph, sourceOf: ModuleSource, options: GlueOptions = { host: true }): GlueModule {
  const diagnostics: Diagnostic[] = [];
  const modules = graph.instances.filter((n) => n.kind === "module");
  const node = (id: number) => graph.instances[id]!;
  const used = new Set<string>();
  const lines: string[] = [];

  // Outgoing calls per module slot: commands of used interfaces, events of provided ones.
  const outgoing = new Map<string, Outgoing[]>();
  const add = (instance: number, slot: string, o: Outgoing) => {
    const k = `${instance}.${slot}`;
    const list = outgoing.get(k);
    if (list) list.push(o);
    else outgoing.set(k, [o]);
  };
  for (const c of connected.connections) {
    add(c.user, c.userSlot, { myIndex: c.userIndex, target: { instance: c.provider, slot: c.providerSlot, index: c.providerIndex } });
    add(c.provider, c.providerSlot, { myIndex: c.providerIndex, target: { instance: c.user, slot: c.userSlot, index: c.userIndex } });
  }

  const imports = new Map<string, string>();
  const importName = (instance: InstanceNode): string => {
    const { file, exportName } = sourceOf(instance);
    const k = `${file}\u0000${exportName}`;
    let local = imports.get(k);
    if (!local) {
      local = `M${imports.size}`;
      imports.set(k, local);
    }
    return local;
  };

  const impl = (id: number) => `i${id}`;
  /** The object that implements what flows into `slot` (the callee side). */
  const incomingObject = (t: Target): string => {
    const slot = node(t.instance).slots.get(t.slot)!;
    if (slot.task) return `{ runTask: ${impl(t.instance)}.tasks.${slot.task} }`;
    return `${impl(t.instance)}.${t.slot}`;
  };
  /** The callee as the caller sees it: with a fixed index bound when the callee is parameterized. */
  const calleeFor = (t: Target): string => {
    if (typeof t.index === "number") {
      used.add("bindIndex");
      return `bindIndex(${incomingObject(t)}, ${t.index})`;
    }
    return incomingObject(t);
  };

  // Combine functions and no-ops live outside the factory: a function made inside it would keep the
  // factory's scope, with every instance variable, alive after start (a kept scope costs JsVars on Espruino).
  const combiners = new Map<string, string>();
  const combiner = (text: string): string => {
    let name = combiners.get(text);
    if (!name) {
      name = `combine${combiners.size}`;
      combiners.set(text, name);
    }
    return name;
  };

  const functionsOut = (slot: SlotInfo): Readonly<Record<string, CombineMarker>> =>
    slot.role === "user" ? slot.iface.commands : slot.iface.events;

  const fan = (m: InstanceNode, slot: SlotInfo, exprs: string[], label: string): string => {
    if (exprs.length === 1) return exprs[0]!;
    used.add("fanOut");
    const combine: string[] = [];
    for (const [fn, marker] of Object.entries(functionsOut(slot))) {
      if (typeof marker === "function") combine.push(`${fn}: ${combiner(String(marker))}`);
      else if (marker === "uncombined") {
        diagnostics.push({
          severity: "warning",
          message: `calls to ${slot.iface.name}.${fn} through \`${label}' fan out to ${exprs.length} components but the interface gives no combine function; the last result is used`,
          location: m.createdAt ?? m.definedAt,
          instance: m.path,
        });
      }
    }
    return `fanOut([${exprs.join(", ")}], { ${combine.join(", ")} })`;
  };

  const bindings: string[] = [];
  let taskCount = 0;
  for (const m of modules) {
    const posts: string[] = [];
    for (const slot of m.slots.values()) {
      const out = outgoing.get(`${m.id}.${slot.name}`) ?? [];
      const label = `${m.path}.${slot.name}`;
      const hasDefault = m.defaults.includes(slot.name);
      const fnNames = Object.keys(functionsOut(slot));
      if (slot.task) {
        taskCount++;
        const t = out[0];
        if (!t) throw new Error(`internal: task ${label} is not wired to the scheduler`);
        posts.push(`${slot.task}: ${calleeFor(t.target)}.postTask`);
        continue;
      }
      if (fnNames.length === 0) continue;
      let expr: string;
      if (!slot.parameterized) {
        const exprs = out.map((o) => calleeFor(o.target));
        if (exprs.length === 0) {
          if (hasDefault) expr = `${impl(m.id)}.defaults.${slot.name}`;
          else if (slot.role === "user") {
            diagnostics.push({
              severity: "error",
              message: `\`${label}' not connected: ${m.component.name} uses ${slot.name} (${slot.iface.name}) but no configuration wires it, and ${m.component.name} gives no default (add "${slot.name}" to its defaults)`,
              location: m.createdAt ?? m.definedAt,
              instance: m.path,
            });
            continue;
          } else {
            expr = noOps(fnNames);
          }
        } else {
          expr = fan(m, slot, exprs, label);
        }
      } else {
        expr = parameterizedSide(m, slot, out, hasDefault, fnNames, label);
      }
      bindings.push(`c${m.id}.${slot.name} = ${expr};`);
    }
    if (posts.length) bindings.push(`c${m.id}.post = { ${posts.join(", ")} };`);
  }

  function noOps(fnNames: string[]): string {
    used.add("noop");
    return `{ ${fnNames.map((n) => `${n}: noop`).join(", ")} }`;
  }

  function parameterizedSide(m: InstanceNode, slot: SlotInfo, out: Outgoing[], hasDefault: boolean, fnNames: string[], label: string): string {
    const whole = out.filter((o) => o.myIndex === "whole");
    const byIndex = new Map<number, Outgoing[]>();
    for (const o of out) {
      if (typeof o.myIndex === "number") {
        const list = byIndex.get(o.myIndex);
        if (list) list.push(o);
        else byIndex.set(o.myIndex, [o]);
      }
    }
    // Whole-to-whole with nothing else: the callee takes the index itself.
    if (byIndex.size === 0 && whole.length === 1) return incomingObject(whole[0]!.target);
    let fallback: string;
    if (whole.length > 0) fallback = fan(m, slot, whole.map((o) => incomingObject(o.target)), label);
    else if (hasDefault) fallback = `${impl(m.id)}.defaults.${slot.name}`;
    else {
      const count = slot.count ?? 0;
      const missing: number[] = [];
      for (let i = 0; i < count; i++) if (!byIndex.has(i)) missing.push(i);
      if (missing.length > 0 && slot.role === "user") {
        diagnostics.push({
          severity: "error",
          message: `\`${label}[${missing.join(", ")}]' not connected: ${m.component.name} uses ${slot.name}[] (${slot.iface.name}) and gives no default for the indexes nobody wires (add "${slot.name}" to its defaults)`,
          location: m.createdAt ?? m.definedAt,
          instance: m.path,
        });
      }
      // Every index has a handler: nothing falls back.
      fallback = missing.length === 0 ? "{}" : noOps(fnNames);
    }
    // Only the indexes in use: a Receive[am_id_t] wired at one type is one entry, not 256.
    const handlers: string[] = [];
    for (const i of [...byIndex.keys()].sort((a, b) => a - b)) {
      const exprs = byIndex.get(i)!.map((o) => calleeFor(o.target));
      // Whole connections also hear index i, with the index bound.
      for (const w of whole) {
        used.add("bindIndex");
        exprs.push(`bindIndex(${incomingObject(w.target)}, ${i})`);
      }
      handlers.push(`${i}: ${fan(m, slot, exprs, `${label}[${i}]`)}`);
    }
    // No index in use: every call goes to the fallback, which takes the index first as dispatch would pass it.
    if (handlers.length === 0) return fallback;
    used.add("dispatch");
    const names = `{ ${fnNames.map((n) => `${n}: 0`).join(", ")} }`;
    return `dispatch({ ${handlers.join(", ")} }, ${names}${fallback === "{}" ? "" : `, ${fallback}`})`;
  }

  // Instances: one context object each; platform host and generic arguments passed to the implementation.
  // A module that calls and signals nothing gets one shared, empty context (on a board, none at all:
  // nothing is ever bound into it, so it never reads one).
  const creations: string[] = [];
  const bound = new Set(bindings.map((b) => Number(/^c(\d+)\./.exec(b)?.[1])));
  let sharedEmpty = false;
  for (const m of modules) {
    const args = m.args.map((a) => JSON.stringify(a)).join(", ");
    let ctx = `c${m.id}`;
    if (bound.has(m.id)) creations.push(`var ${ctx} = {};`);
    else if (options.host) {
      ctx = "none";
      sharedEmpty = true;
    } else ctx = args ? "0" : "";
    const host = options.host ? ", host" : args ? ", 0" : "";
    creations.push(`var ${impl(m.id)} = ${importName(m)}(${ctx}${host}${args ? `, ${args}` : ""});`);
  }
  if (sharedEmpty) creations.unshift("var none = {};");

  // Boot: MainC.Main resolves to RealMainP.Main (or whatever the kernel put there).
  const mainConnections = resolveProvided(graph, graph.main, "Main");
  if (mainConnections.length !== 1) {
    diagnostics.push({ severity: "error", message: `MainC.Main must resolve to exactly one module, found ${mainConnections.length}` });
  }
  const mainTarget = mainConnections[0];

  for (const [k, local] of imports) {
    const [file, exportName] = k.split("\u0000");
    lines.push(`import { ${exportName} as ${local} } from ${JSON.stringify(file)};`);
  }
  for (const h of ["bindIndex", "fanOut", "dispatch"]) if (used.has(h)) lines.push(HELPERS[h]!);
  if (used.has("noop")) lines.push("function noop() {}");
  for (const [text, name] of combiners) lines.push(`var ${name} = ${text};`);
  lines.push("export default function mote(host) {");
  lines.push(...creations.map((l) => `  ${l}`));
  lines.push(...bindings.map((l) => `  ${l}`));
  if (mainTarget) lines.push(`  ${impl(mainTarget.instance)}.${mainTarget.slot}.boot();`);
  lines.push("}");
  return { source: lines.join("\n") + "\n", diagnostics, moduleInstances: modules.length, tasks: taskCount };
}

/** The module interfaces a configuration's provided interface comes down to. */
export function resolveProvided(graph: ElaboratedGraph, instance: number, slot: string): Target[] {
  const out: Target[] = [];
  const seen = new Set<string>();
  const walk = (id: number, name: string) => {
    const k = `${id}.${name}`;
    if (seen.has(k)) return;
    seen.add(k);
    const n = graph.instances[id]!;
    if (n.kind === "module") {
      out.push({ instance: id, slot: name, index: null });
      return;
    }
    for (const w of graph.wires) {
      if (w.kind === "equate" && w.from.instance === id && w.from.slot === name) walk(w.to.instance, w.to.slot);
    }
  };
  walk(instance, slot);
  return out;
}

export type { Connection };
