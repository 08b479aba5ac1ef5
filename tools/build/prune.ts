/**
 * Dead-function elimination, as nesC does it: a command or event that no
 * code in the image ever calls is left out of its module's implementation
 * object. A call through a module's context (`c.Slot.fn(...)`) calls `fn`
 * of Slot's interface; any other property access `x.fn` could call any
 * function named `fn`. The glue binds interfaces whole and never looks
 * functions up by computed name, so a function not called either way cannot
 * run. Removing one can orphan others, so this repeats until nothing changes.
 */
import { applyEdits, children, cutWithComma, isFunction, isNode, keyName as nodeKeyName, type Node, parseScript, returnedObjects } from "./ast.ts";

interface Property extends Node {
  key: Node & { name?: string; value?: unknown };
  value: Node;
  computed: boolean;
}

const keyName = (p: Property): string | undefined => nodeKeyName(p);

/** An object literal with `kind: "message"`: a typed message laid out by the build. */
const isMessageLiteral = (n: Node): boolean =>
  (n.properties as Property[]).some(
    (p) => p.type === "Property" && keyName(p) === "kind" && p.value.type === "Literal" && (p.value as Node & { value?: unknown }).value === "message",
  );

export interface PruneResult {
  readonly code: string;
  /** `Module.slot.function` for each function left out. */
  readonly removed: readonly string[];
}

/**
 * `modules` maps a module name (as esbuild names its variable, possibly
 * with a numeric suffix) to its interface slots and their interface names.
 */
export function pruneUncalled(code: string, modules: ReadonlyMap<string, ReadonlyMap<string, string>>): PruneResult {
  const ast = parseScript(code);

  // Implementation objects found in module implementations, with the interface each implements.
  const implObjects: { object: Node; label: string; iface: string; slotProp?: Node; slot?: string }[] = [];
  // Each module's `defaults`: the glue reads `impl.defaults.Slot` only where Slot is left unwired.
  const defaultsObjects: { object: Node; label: string }[] = [];
  // Module factories, with their context parameter's name and their slots' interfaces.
  const factories: { fn: Node; ctx: string; slots: ReadonlyMap<string, string> }[] = [];
  const visit = (n: Node) => {
    if (n.type === "VariableDeclarator" && isNode(n.id) && n.id.type === "Identifier" && isNode(n.init)) {
      const name = String(n.id.name).replace(/\d+$/, "");
      const slots = modules.get(name);
      let init = n.init;
      while (init.type === "ParenthesizedExpression") init = init.expression as Node;
      if (slots && isFunction(init)) {
        const params = init.params as Node[];
        const first = params[0];
        if (first && first.type === "Identifier") factories.push({ fn: init, ctx: String(first.name), slots });
        for (const obj of returnedObjects(init)) {
          for (const prop of obj.properties as Property[]) {
            if (prop.type !== "Property") continue;
            const k = keyName(prop);
            if (k && slots.has(k) && prop.value.type === "ObjectExpression") {
              implObjects.push({ object: prop.value, label: `${name}.${k}`, iface: slots.get(k)!, slotProp: prop, slot: k });
            } else if (k === "defaults" && prop.value.type === "ObjectExpression") {
              defaultsObjects.push({ object: prop.value, label: `${name}.defaults` });
              for (const d of prop.value.properties as Property[]) {
                const dk = d.type === "Property" ? keyName(d) : undefined;
                if (dk && slots.has(dk) && d.value.type === "ObjectExpression") {
                  implObjects.push({ object: d.value, label: `${name}.defaults.${dk}`, iface: slots.get(dk)! });
                }
              }
            }
          }
        }
      }
    }
    for (const c of children(n)) visit(c);
  };
  visit(ast);

  // Typed messages laid out by the build (messages.ts): their accessors and properties, kept by name.
  const messageObjects: Node[] = [];
  // The top-level `get` and `set` namespaces of each message: their accessors are kept by `Msg.get.name`.
  const messageNamespace = new Map<Node, string>();
  const findMessages = (n: Node) => {
    if (n.type === "ObjectExpression" && isMessageLiteral(n)) {
      const collectNamespaces = (o: Node) => {
        messageObjects.push(o);
        for (const p of o.properties as Property[]) {
          if (p.type === "Property" && p.value.type === "ObjectExpression" && !isMessageLiteral(p.value)) {
            const k = keyName(p);
            if (o === n && (k === "get" || k === "set")) messageNamespace.set(p.value, k);
            if (k === "get" || k === "set" || o !== n) collectNamespaces(p.value);
          }
        }
      };
      collectNamespaces(n);
    }
    for (const c of children(n)) findMessages(c);
  };
  findMessages(ast);
  // The names the laid-out messages are declared under.
  const messageVars = new Set<string>();
  const findMessageVars = (n: Node) => {
    if (n.type === "VariableDeclarator" && isNode(n.id) && n.id.type === "Identifier" && isNode(n.init) && n.init.type === "ObjectExpression" && isMessageLiteral(n.init)) {
      messageVars.add(String(n.id.name));
    }
    for (const c of children(n)) findMessageVars(c);
  };
  findMessageVars(ast);

  const removed = new Set<Node>();
  const removedLabels: string[] = [];
  const ctxOf = new Map<Node, { ctx: string; slots: ReadonlyMap<string, string> }>();
  for (const f of factories) ctxOf.set(f.fn, f);
  for (;;) {
    // `Interface.fn` for calls through a module context; plain names for every other access.
    const viaContext = new Set<string>();
    const accessed = new Set<string>();
    const defaultsRead = new Set<string>();
    const collect = (n: Node, scope: { ctx: string; slots: ReadonlyMap<string, string> } | undefined) => {
      if (removed.has(n)) return;
      const own = ctxOf.get(n);
      if (own) scope = own;
      if (n.type === "MemberExpression" && !n.computed && isNode(n.property) && n.property.type === "Identifier") {
        const fn = String(n.property.name);
        const target = n.object as Node;
        if (
          scope &&
          target.type === "MemberExpression" &&
          !target.computed &&
          isNode(target.object) &&
          target.object.type === "Identifier" &&
          target.object.name === scope.ctx &&
          isNode(target.property) &&
          scope.slots.has(String(target.property.name))
        ) {
          viaContext.add(`${scope.slots.get(String(target.property.name))}.${fn}`);
          collect(target, scope);
          return;
        }
        // A read of a laid-out message's own property (`Msg.get`) calls no module's function of that name.
        if (target.type === "Identifier" && messageVars.has(String(target.name))) messageRead.add(fn);
        else accessed.add(fn);
        // `Msg.get.fn`: a message accessor named with its namespace.
        if (target.type === "MemberExpression" && !target.computed && isNode(target.property)) {
          const ns = String(target.property.name);
          if (ns === "get" || ns === "set") {
            chained.add(`${ns}.${fn}`);
            namespaceChained.add(target);
          }
        }
        if (fn === "get" || fn === "set") namespaceReads.push(n);
        if (target.type === "MemberExpression" && !target.computed && isNode(target.property) && target.property.name === "defaults") {
          defaultsRead.add(fn);
        }
      }
      for (const c of children(n)) collect(c, scope);
    };
    const messageRead = new Set<string>();
    const chained = new Set<string>();
    const namespaceChained = new Set<Node>();
    const namespaceReads: Node[] = [];
    collect(ast, undefined);
    // A `get`/`set` read that is not followed by an accessor name may alias a namespace: any accessor of that name might be called.
    const aliased = new Set(namespaceReads.filter((n) => !namespaceChained.has(n)).map((n) => String((n.property as Node).name)));
    let changed = false;
    for (const { object, label, iface, slotProp, slot } of implObjects) {
      if (removed.has(object) || (slotProp && removed.has(slotProp))) continue;
      // An interface the glue never binds (no `.Slot` read anywhere): none of its functions can be called.
      if (slotProp && slot && !accessed.has(slot)) {
        removed.add(slotProp);
        for (const prop of object.properties as Property[]) {
          const k = prop.type === "Property" ? keyName(prop) : undefined;
          if (k !== undefined && !removed.has(prop)) removedLabels.push(`${label}.${k}`);
        }
        changed = true;
        continue;
      }
      for (const prop of object.properties as Property[]) {
        if (prop.type !== "Property" || removed.has(prop)) continue;
        const k = keyName(prop);
        if (k !== undefined && !accessed.has(k) && !viaContext.has(`${iface}.${k}`)) {
          removed.add(prop);
          removedLabels.push(`${label}.${k}`);
          changed = true;
        }
      }
    }
    const named = new Set([...accessed, ...messageRead]);
    for (const f of viaContext) named.add(f.slice(f.indexOf(".") + 1));
    for (const object of messageObjects) {
      const ns = messageNamespace.get(object);
      for (const prop of object.properties as Property[]) {
        if (prop.type !== "Property" || removed.has(prop)) continue;
        const k = keyName(prop);
        const used = ns === undefined || aliased.has(ns) ? named.has(k ?? "") : chained.has(`${ns}.${k}`);
        if (k !== undefined && !used) {
          removed.add(prop);
          changed = true;
        }
      }
    }
    for (const { object, label } of defaultsObjects) {
      for (const prop of object.properties as Property[]) {
        if (prop.type !== "Property" || removed.has(prop)) continue;
        const k = keyName(prop);
        if (k !== undefined && !defaultsRead.has(k)) {
          removed.add(prop);
          removedLabels.push(`${label}.${k}`);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }

  // Cut each removed property (and the comma after it) out; cuts inside a removed property merge into its own.
  const out = applyEdits(code, [...removed].map((p) => cutWithComma(code, p)));
  return { code: out, removed: removedLabels };
}
