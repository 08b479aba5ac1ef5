/**
 * Dead-function elimination, as nesC does it: a command or event that no
 * code in the image ever calls is left out of its module's implementation
 * object. "Called" means its name appears as a property access somewhere in
 * the image; the glue binds interfaces whole and never looks functions up by
 * computed name, so a function whose name is never accessed cannot run.
 * Removing one can orphan others, so this repeats until nothing changes.
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
 * with a numeric suffix) to its interface slot names.
 */
export function pruneUncalled(code: string, modules: ReadonlyMap<string, ReadonlySet<string>>): PruneResult {
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as Node;

  // Implementation objects: { object, module, slot } found in module implementations.
  const implObjects: { object: Node; label: string }[] = [];
  const visit = (n: Node) => {
    if (n.type === "VariableDeclarator" && isNode(n.id) && n.id.type === "Identifier" && isNode(n.init)) {
      const name = String(n.id.name).replace(/\d+$/, "");
      const slots = modules.get(name);
      let init = n.init;
      while (init.type === "ParenthesizedExpression") init = init.expression as Node;
      if (slots && isFunction(init)) {
        for (const obj of returnedObjects(init)) {
          for (const prop of obj.properties as Property[]) {
            if (prop.type !== "Property") continue;
            const k = keyName(prop);
            if (k && slots.has(k) && prop.value.type === "ObjectExpression") {
              implObjects.push({ object: prop.value, label: `${name}.${k}` });
            } else if (k === "defaults" && prop.value.type === "ObjectExpression") {
              for (const d of prop.value.properties as Property[]) {
                const dk = d.type === "Property" ? keyName(d) : undefined;
                if (dk && d.value.type === "ObjectExpression") implObjects.push({ object: d.value, label: `${name}.defaults.${dk}` });
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
  for (;;) {
    const accessed = new Set<string>();
    const collect = (n: Node) => {
      if (removed.has(n)) return;
      if (n.type === "MemberExpression" && !n.computed && isNode(n.property) && n.property.type === "Identifier") {
        accessed.add(String(n.property.name));
      }
      for (const c of children(n)) collect(c);
    };
    collect(ast);
    let changed = false;
    for (const { object, label } of implObjects) {
      for (const prop of object.properties as Property[]) {
        if (prop.type !== "Property" || removed.has(prop)) continue;
        const k = keyName(prop);
        if (k !== undefined && !accessed.has(k)) {
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
  for (const { object } of implObjects) {
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
