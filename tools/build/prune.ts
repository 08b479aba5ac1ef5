/**
 * Dead-function elimination, as nesC does it: a command or event that no
 * code in the image ever calls is left out of its module's implementation
 * object. A call through a module's context (`c.Slot.fn(...)`) calls `fn`
 * of Slot's interface; any other property access `x.fn` could call any
 * function named `fn`. The glue binds interfaces whole and never looks
 * functions up by computed name, so a function not called either way cannot
 * run. Removing one can orphan others, so this repeats until nothing changes.
 */
import { parse } from "acorn";

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

interface Property extends Node {
  key: Node & { name?: string; value?: unknown };
  value: Node;
  computed: boolean;
}

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && typeof (v as Node).type === "string";

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const key in node) {
    if (key === "type" || key === "start" || key === "end") continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const item of v) if (isNode(item)) out.push(item);
    } else if (isNode(v)) out.push(v);
  }
  return out;
}

function keyName(p: Property): string | undefined {
  if (p.computed) return undefined;
  if (p.key.type === "Identifier") return p.key.name;
  if (p.key.type === "Literal" && typeof p.key.value === "string") return p.key.value;
  return undefined;
}

const isFunction = (n: Node) =>
  n.type === "ArrowFunctionExpression" || n.type === "FunctionExpression" || n.type === "FunctionDeclaration";

/** The object literals a function returns from its own body (not from nested functions). */
function returnedObjects(fn: Node): Node[] {
  const body = fn.body as Node;
  if (body.type === "ObjectExpression") return [body];
  const out: Node[] = [];
  const visit = (n: Node) => {
    if (n.type === "ReturnStatement" && isNode(n.argument) && n.argument.type === "ObjectExpression") out.push(n.argument);
    for (const c of children(n)) if (!isFunction(c)) visit(c);
  };
  visit(body);
  return out;
}

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
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as Node;

  // Implementation objects found in module implementations, with the interface each implements.
  const implObjects: { object: Node; label: string; iface: string }[] = [];
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
              implObjects.push({ object: prop.value, label: `${name}.${k}`, iface: slots.get(k)! });
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
        accessed.add(fn);
        if (target.type === "MemberExpression" && !target.computed && isNode(target.property) && target.property.name === "defaults") {
          defaultsRead.add(fn);
        }
      }
      for (const c of children(n)) collect(c, scope);
    };
    collect(ast, undefined);
    let changed = false;
    for (const { object, label, iface } of implObjects) {
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

  // Rewrite each pruned object literal with the properties that stay.
  const edits: { start: number; end: number; text: string }[] = [];
  for (const { object } of [...implObjects, ...defaultsObjects]) {
    const props = object.properties as Node[];
    if (!props.some((p) => removed.has(p))) continue;
    const kept = props.filter((p) => !removed.has(p)).map((p) => code.slice(p.start, p.end));
    edits.push({ start: object.start, end: object.end, text: `{ ${kept.join(", ")} }` });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { code: out, removed: removedLabels };
}
