/**
 * The few ESTree helpers the build's passes over the bundled image share
 * (prune.ts, forward.ts, constants.ts, messages.ts): acorn's nodes as plain
 * records, their children, and the shapes module implementations take.
 */
import { parse } from "acorn";

export interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

export const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && typeof (v as Node).type === "string";

/** The script's syntax tree (the image is a script: one function expression, called). */
export const parseScript = (code: string): Node => parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as Node;

export function children(node: Node): Node[] {
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

/** Visits `node` and everything under it, depth first; `visit` returning false skips a node's children. */
export function walk(node: Node, visit: (n: Node) => boolean | void): void {
  if (visit(node) === false) return;
  for (const c of children(node)) walk(c, visit);
}

export const isFunction = (n: Node): boolean =>
  n.type === "ArrowFunctionExpression" || n.type === "FunctionExpression" || n.type === "FunctionDeclaration";

/** An Identifier's name. */
export const ident = (n: unknown): string | undefined => (isNode(n) && n.type === "Identifier" ? String(n.name) : undefined);

/** A property's name when it is written out (`a:`, `"a":`), not computed. */
export function keyName(p: Node): string | undefined {
  if (p.computed) return undefined;
  const k = p.key as Node;
  if (k.type === "Identifier") return String(k.name);
  if (k.type === "Literal" && typeof k.value === "string") return k.value;
  return undefined;
}

/** The object literal an expression ends in (`{...}`, or `(a(), {...})` once minified), if any. */
export function objectOf(n: Node | undefined): Node | undefined {
  while (n && n.type === "SequenceExpression") n = (n.expressions as Node[]).at(-1);
  return n && n.type === "ObjectExpression" ? n : undefined;
}

/** The object literals a function returns from its own body (not from nested functions). */
export function returnedObjects(fn: Node): Node[] {
  const body = fn.body as Node;
  const direct = objectOf(body);
  if (direct) return [direct];
  const out: Node[] = [];
  walk(body, (n) => {
    if (n !== body && isFunction(n)) return false;
    const returned = n.type === "ReturnStatement" && isNode(n.argument) ? objectOf(n.argument) : undefined;
    if (returned) out.push(returned);
  });
  return out;
}

/** A change to the source text: `text` in place of [start, end); an empty `text` is a cut. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * `code` from `from` to `to` with the edits made. Overlapping cuts merge; an
 * edit that starts inside a cut goes with it (the cut took its text away).
 */
export function applyEdits(code: string, edits: readonly Edit[], from = 0, to = code.length): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let last = from;
  for (const e of sorted) {
    if (e.start < last) {
      if (e.text === "") last = Math.max(last, e.end);
      continue;
    }
    out += code.slice(last, e.start) + e.text;
    last = e.end;
  }
  return out + code.slice(last, to);
}

/** The cut that takes a property (or list item) out, with the comma after it. */
export function cutWithComma(code: string, n: Node): Edit {
  let end = n.end;
  while (end < code.length && /\s/.test(code[end]!)) end++;
  return { start: n.start, end: code[end] === "," ? end + 1 : n.end, text: "" };
}
