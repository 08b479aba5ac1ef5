/**
 * Pass-through interfaces, resolved at build time. A module often provides
 * an interface only to hand each call on to one it uses, unchanged
 * (ActiveMessageP's SplitControl is its RadioControl: `start: () =>
 * c.RadioControl.start()`); nesC flattens such a path into one direct call.
 * Here, in the bundled image: when every function of a module's interface
 * object is such a forwarder, to the same used interface, with the same
 * function name and the same arguments, the glue binds the callers straight
 * to whatever that used interface is bound to. The forwarders and the
 * bindings only they read then leave the image: fewer function objects, one
 * hop less per call.
 *
 * Also here, as the glue shows it: calls to a Debug interface bound to a
 * `dbg` that does nothing (board platforms) are taken out with their
 * arguments.
 */
import { applyEdits, children, cutWithComma, type Edit, ident, isFunction, isNode, keyName, type Node, parseScript, returnedObjects, walk } from "./ast.ts";

/** `a.b` with plain names: [a, b]. */
function member(n: unknown): [string, string] | undefined {
  if (!isNode(n) || n.type !== "MemberExpression" || n.computed) return undefined;
  const o = ident(n.object);
  const p = ident(n.property);
  return o !== undefined && p !== undefined ? [o, p] : undefined;
}

/** The used interface every function of `object` hands its call on to unchanged, if one does. */
function forwardsTo(object: Node, ctx: string): string | undefined {
  let target: string | undefined;
  const props = object.properties as Node[];
  if (props.length === 0) return undefined;
  for (const p of props) {
    if (p.type !== "Property" || p.kind !== "init") return undefined;
    const name = keyName(p);
    const fn = p.value as Node;
    if (name === undefined || !(fn.type === "ArrowFunctionExpression" || fn.type === "FunctionExpression")) return undefined;
    let call = fn.body as Node;
    if (call.type === "BlockStatement") {
      const body = call.body as Node[];
      if (body.length !== 1 || body[0]!.type !== "ReturnStatement" || !isNode(body[0]!.argument)) return undefined;
      call = body[0]!.argument as Node;
    }
    if (call.type !== "CallExpression") return undefined;
    const callee = call.callee as Node;
    if (callee.type !== "MemberExpression" || callee.computed || ident(callee.property) !== name) return undefined;
    const via = member(callee.object);
    if (!via || via[0] !== ctx) return undefined;
    const params = (fn.params as Node[]).map(ident);
    const args = (call.arguments as Node[]).map(ident);
    if (params.length !== args.length || params.some((x, i) => x === undefined || x !== args[i])) return undefined;
    if (target !== undefined && target !== via[1]) return undefined;
    target = via[1];
  }
  return target;
}

/** Whether `object` has a function `name` with an empty body. */
function doesNothing(object: Node, name: string): boolean {
  for (const p of object.properties as Node[]) {
    if (p.type !== "Property" || keyName(p) !== name) continue;
    const fn = p.value as Node;
    return (fn.type === "FunctionExpression" || fn.type === "ArrowFunctionExpression") && (fn.body as Node).type === "BlockStatement" && ((fn.body as Node).body as Node[]).length === 0;
  }
  return false;
}

interface Factory {
  readonly fn: Node;
  readonly ctx: string;
  /** Provided Debug interfaces whose `dbg` does nothing. */
  readonly silentDebug: Set<string>;
  /** Provided interface -> the used interface its functions forward to, with its property in the returned object. */
  readonly forwarders: Map<string, { to: string; prop: Node }>;
}

export interface ForwardResult {
  readonly code: string;
  /** `Module.Interface` for each pass-through interface taken out. */
  readonly bypassed: readonly string[];
  /** `Module.Slot` for each Debug interface whose calls were taken out. */
  readonly silencedDebug: readonly string[];
}

/**
 * `moduleNames`: the module factories' names (esbuild may add a numeric
 * suffix). The glue is the function `mote` (generate.ts): `var cK = {}, iK =
 * Factory(cK, ...)` creations, then `cK.Slot = expression` bindings.
 */
export function bypassForwarders(code: string, modules: ReadonlyMap<string, ReadonlyMap<string, string>>): ForwardResult {
  const moduleNames = new Set(modules.keys());
  const ast = parseScript(code);
  const factories = new Map<string, Factory>();
  let glue: Node | undefined;
  walk(ast, (n) => {
    if (n.type === "FunctionDeclaration" && ident(n.id) === "mote") glue = n;
    if (n.type === "VariableDeclarator" && isNode(n.init) && isFunction(n.init)) {
      const name = ident(n.id);
      if (name && moduleNames.has(name.replace(/\d+$/, ""))) {
        // A module that calls nothing takes no context: "" matches no call.
        const ctx = ident((n.init.params as Node[])[0]) ?? "";
        const forwarders = new Map<string, { to: string; prop: Node }>();
        const silentDebug = new Set<string>();
        const slots = modules.get(name.replace(/\d+$/, ""))!;
        for (const obj of returnedObjects(n.init)) {
          for (const p of obj.properties as Node[]) {
            const k = p.type === "Property" ? keyName(p) : undefined;
            if (k === undefined || k === "defaults" || k === "tasks" || (p.value as Node).type !== "ObjectExpression") continue;
            if (slots.get(k) === "Debug" && doesNothing(p.value as Node, "dbg")) silentDebug.add(k);
            const to = forwardsTo(p.value as Node, ctx);
            if (to !== undefined && to !== k) forwarders.set(k, { to, prop: p });
          }
        }
        factories.set(name, { fn: n.init, ctx, forwarders, silentDebug });
      }
    }
  });
  if (!glue) return { code, bypassed: [], silencedDebug: [] };

  // Instances: iK -> its factory and context; bindings: cK.Slot -> its assignment.
  const instanceOf = new Map<string, { factory: string; ctx: string }>();
  const bindings = new Map<string, Node>();
  walk(glue.body as Node, (n) => {
    if (n !== glue && isFunction(n)) return false;
    if (n.type === "VariableDeclarator" && isNode(n.init) && n.init.type === "CallExpression") {
      const id = ident(n.id);
      const factory = ident(n.init.callee);
      // A module no one binds anything into may get no context (board images): "" matches no binding.
      const ctx = ident((n.init.arguments as Node[])[0]) ?? "";
      if (id && factory && factories.has(factory)) instanceOf.set(id, { factory, ctx });
    }
    if (n.type === "AssignmentExpression" && n.operator === "=") {
      const lhs = member(n.left);
      if (lhs) bindings.set(`${lhs[0]}.${lhs[1]}`, n);
    }
  });

  const isSimple = (n: Node): boolean => n.type === "Identifier" || (n.type === "MemberExpression" && !n.computed && isSimple(n.object as Node));
  const text = (n: Node) => code.slice(n.start, n.end);
  /** What `iK.Iface` stands for once pass-throughs are followed (undefined: itself). */
  const resolve = (ref: [string, string], depth = 0): string | undefined => {
    const inst = instanceOf.get(ref[0]);
    const fwd = inst && factories.get(inst.factory)!.forwarders.get(ref[1]);
    if (!inst || !fwd || depth > 32) return undefined;
    const bound = bindings.get(`${inst.ctx}.${fwd.to}`);
    const rhs = bound?.right as Node | undefined;
    if (!rhs || !isSimple(rhs)) return undefined;
    const next = member(rhs);
    return (next && resolve(next, depth + 1)) ?? text(rhs);
  };

  const edits: Edit[] = [];
  const bypassed = new Set<string>();
  const stillRead = new Set<string>(); // `Factory.Iface` still bound somewhere
  for (const assignment of bindings.values()) {
    walk(assignment.right as Node, (n) => {
      if (isFunction(n)) return false;
      const ref = member(n);
      if (!ref || !instanceOf.has(ref[0])) return;
      const inst = instanceOf.get(ref[0])!;
      const replacement = resolve(ref);
      if (replacement === undefined) {
        stillRead.add(`${inst.factory}.${ref[1]}`);
        return false;
      }
      edits.push({ start: n.start, end: n.end, text: replacement });
      bypassed.add(`${inst.factory.replace(/\d+$/, "")}.${ref[1]}`);
      return false;
    });
  }
  // Also the boot call and anything else in the glue that reads an instance's interface.
  walk(glue.body as Node, (n) => {
    if (n.type === "AssignmentExpression" && member(n.left) && bindings.get(`${member(n.left)![0]}.${member(n.left)![1]}`) === n) return false;
    const ref = member(n);
    if (ref && instanceOf.has(ref[0])) stillRead.add(`${instanceOf.get(ref[0])!.factory}.${ref[1]}`);
  });

  // Forwarders nobody is bound to any more leave their module.
  const removedProps: Node[] = [];
  for (const [name, f] of factories) {
    for (const [iface, fwd] of f.forwarders) {
      if (!stillRead.has(`${name}.${iface}`) && [...instanceOf.values()].some((i) => i.factory === name)) removedProps.push(fwd.prop);
    }
  }
  // Then the bindings only those forwarders read: `cK.Slot = ...` where K's code no longer reads `ctx.Slot`.
  const removedSet = new Set(removedProps);
  const readsOf = new Map<string, Set<string>>();
  for (const [name, f] of factories) {
    const reads = new Set<string>();
    walk(f.fn, (n) => {
      if (removedSet.has(n)) return false;
      const m = member(n);
      if (m && m[0] === f.ctx) reads.add(m[1]);
    });
    readsOf.set(name, reads);
  }
  const parents = new Map<Node, Node>();
  walk(glue.body as Node, (n) => {
    for (const c of children(n)) parents.set(c, n);
  });
  for (const inst of instanceOf.values()) {
    const f = factories.get(inst.factory)!;
    if (![...f.forwarders.values()].some((fwd) => removedSet.has(fwd.prop))) continue;
    const reads = readsOf.get(inst.factory)!;
    for (const [key, assignment] of bindings) {
      const [ctx, slot] = key.split(".") as [string, string];
      if (ctx !== inst.ctx || reads.has(slot)) continue;
      const parent = parents.get(assignment);
      if (parent?.type === "SequenceExpression") {
        const list = parent.expressions as Node[];
        const i = list.indexOf(assignment);
        if (i < list.length - 1) edits.push({ start: assignment.start, end: list[i + 1]!.start, text: "" });
        else edits.push({ start: list[i - 1]!.end, end: assignment.end, text: "" });
      } else if (parent?.type === "ExpressionStatement") {
        edits.push({ start: parent.start, end: parent.end, text: "" });
      }
    }
  }
  for (const p of removedProps) edits.push(cutWithComma(code, p));

  // Debug channels on a platform whose Debug does nothing: the calls go, arguments and all, as TinyOS's
  // dbg() is a macro that leaves nothing behind (no message strings in a board's image).
  const silencedBy = new Map<string, boolean>(); // `Factory.Slot` -> every instance's binding does nothing
  for (const [key, assignment] of bindings) {
    const [ctx, slot] = key.split(".") as [string, string];
    const user = [...instanceOf.values()].find((i) => i.ctx === ctx);
    if (!user || modules.get(user.factory.replace(/\d+$/, ""))?.get(slot) !== "Debug") continue;
    const ref = member(assignment.right);
    const provider = ref && instanceOf.get(ref[0]);
    const silent = !!provider && factories.get(provider.factory)!.silentDebug.has(ref![1]);
    const k = `${user.factory}.${slot}`;
    silencedBy.set(k, (silencedBy.get(k) ?? true) && silent);
  }
  const dropped: string[] = [];
  for (const [k, silent] of silencedBy) {
    if (!silent) continue;
    const [factoryName, slot] = k.split(".") as [string, string];
    const f = factories.get(factoryName)!;
    walk(f.fn, (n) => {
      if (n.type !== "CallExpression") return;
      const callee = n.callee as Node;
      const via = callee.type === "MemberExpression" && !callee.computed && ident(callee.property) === "dbg" ? member(callee.object) : undefined;
      if (via && via[0] === f.ctx && via[1] === slot) {
        edits.push({ start: n.start, end: n.end, text: "void 0" });
        return false;
      }
    });
    dropped.push(`${factoryName.replace(/\d+$/, "")}.${slot}`);
  }

  const out = applyEdits(code, edits);
  return { code: out, bypassed: [...bypassed].sort(), silencedDebug: dropped.sort() };
}
