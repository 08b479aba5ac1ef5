/**
 * Typed message declarations, laid out at build time for images.
 *
 * `defineMessage(...)` computes offsets and builds one closure per field
 * while an image starts, and carries its validation and error texts along.
 * An image needs none of that: the build evaluates each exported
 * declaration in Node (where the same checks run) and puts in its place an
 * object literal whose accessors read and write fixed offsets directly, as
 * the code mig generates does. The literal is marked as a message
 * (`kind: "message"`), so that pruneUncalled (prune.ts) can drop the
 * accessors and properties no code in the image names.
 */
import * as esbuild from "esbuild";
import { createRequire } from "node:module";
import type { FieldType, MessageDefinition } from "../../components/message/TypedMessage.ts";
import { applyEdits, type Edit, isNode as isAstNode, type Node as AstNode, parseScript } from "./ast.ts";

/** `export const Name = defineMessage(` at the start of a line (not in a doc comment's example). */
const DECLARATION = /^export\s+const\s+([A-Za-z_$][\w$]*)\s*=\s*defineMessage\s*\(/gm;

const evaluated = new Map<string, Promise<Readonly<Record<string, unknown>>>>();

/** What the application's build sets for its messages (build.ts `messageBufferLayout`). */
export interface MessageLayout {
  /** The payload every message_t holds (TOSH_DATA_LENGTH). */
  readonly dataLength: number;
  /** Where that length was set, for the error that a message does not fit. */
  readonly dataLengthSource: string;
  /** esbuild `define`s that give the components this layout. */
  readonly define: Readonly<Record<string, string>>;
}

/** The file's exports, evaluated in Node with the build's defines (once per file, text and defines). */
function exportsOf(file: string, source: string, define: Readonly<Record<string, string>> = {}): Promise<Readonly<Record<string, unknown>>> {
  const key = `${file}\u0000${source}\u0000${JSON.stringify(define)}`;
  let result = evaluated.get(key);
  if (!result) {
    result = (async () => {
      const out = await esbuild.build({
        entryPoints: [file],
        bundle: true,
        format: "cjs",
        platform: "node",
        target: "node20",
        write: false,
        logLevel: "silent",
        define: { ...define },
      });
      const module = { exports: {} as Record<string, unknown> };
      new Function("module", "exports", "require", out.outputFiles[0]!.text)(module, module.exports, createRequire(file));
      return module.exports;
    })();
    evaluated.set(key, result);
  }
  return result;
}

const isMessage = (v: unknown): v is MessageDefinition =>
  typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "message" && typeof (v as { struct?: unknown }).struct === "object";

/** A scalar's value, read where `at` says (big-endian; signed sizes are negative). `p` is set first, then reused. */
function readExpr(t: number, at: string): string {
  const first = `b[p ${at}]`;
  switch (t) {
    case 1:
      return first;
    case -1:
      return `${first} << 24 >> 24`;
    case 2:
      return `${first} << 8 | b[p + 1]`;
    case -2:
      return `${first} << 24 >> 16 | b[p + 1]`;
    case 4:
      return `(${first} << 24 | b[p + 1] << 16 | b[p + 2] << 8 | b[p + 3]) >>> 0`;
    default:
      return `${first} << 24 | b[p + 1] << 16 | b[p + 2] << 8 | b[p + 3]`;
  }
}

function writeStatements(t: number, at: string): string {
  const size = Math.abs(t);
  const first = `b[p ${at}]`;
  if (size === 1) return `${first} = v;`;
  if (size === 2) return `${first} = v >> 8; b[p + 1] = v;`;
  return `${first} = v >> 24; b[p + 1] = v >> 16; b[p + 2] = v >> 8; b[p + 3] = v;`;
}

/**
 * Index parameters, and the assignment that turns `p` (the optional byte
 * offset) into the field's position, for a field at `offset` inside
 * `strides.length` arrays: `|= 0` or `= (p | 0) + 2 + i0 * 2`.
 */
function position(offset: number, strides: readonly number[]): { indexes: string[]; at: string } {
  const indexes = strides.map((_, k) => `i${k}`);
  const terms = [...(offset ? [String(offset)] : []), ...strides.map((s, k) => (s === 1 ? `i${k}` : `i${k} * ${s}`))];
  return { indexes, at: terms.length === 0 ? "|= 0" : `= (p | 0) + ${terms.join(" + ")}` };
}

/** The accessor tree of one field, as object-literal source. */
function accessorTree(type: FieldType, offset: number, strides: readonly number[], setter: boolean): string {
  if (type.kind === "scalar") {
    const t = type.signed ? -type.size : type.size;
    const { indexes, at } = position(offset, strides);
    if (setter) return `(b, ${[...indexes, "v", "p"].join(", ")}) => { ${writeStatements(t, at)} }`;
    return `(b, ${[...indexes, "p"].join(", ")}) => ${readExpr(t, at)}`;
  }
  if (type.kind === "array") return accessorTree(type.element, offset, [...strides, type.element.size], setter);
  const parts: string[] = [];
  for (const name in type.fields) {
    const field = type.fields[name]!;
    parts.push(`${JSON.stringify(name)}: ${accessorTree(field, offset, strides, setter)}`);
    offset += field.size;
  }
  return `{ ${parts.join(", ")} }`;
}

/** The object literal an image holds in place of a declaration. */
export function messageLiteral(m: MessageDefinition): string {
  return [
    `{ kind: "message", name: ${JSON.stringify(m.name)}, amType: ${m.amType}, size: ${m.size},`,
    ` struct: ${JSON.stringify(m.struct)},`,
    ` get: ${accessorTree(m.struct, 0, [], false)},`,
    ` set: ${accessorTree(m.struct, 0, [], true)} }`,
  ].join("");
}

/** Field names at every depth: the image's own property names, which the build may shorten. */
function addFieldNames(type: FieldType, out: Set<string>): void {
  if (type.kind === "array") addFieldNames(type.element, out);
  else if (type.kind === "struct") {
    for (const name in type.fields) {
      out.add(name);
      addFieldNames(type.fields[name]!, out);
    }
  }
}

/** Where the call that starts at `open` (the index of its `(`) ends: just past its `)`. */
function closingParen(source: string, open: number): number {
  let depth = 0;
  for (let p = open; p < source.length; p++) {
    const ch = source[p];
    if (ch === "/" && source[p + 1] === "/") p = source.indexOf("\n", p) < 0 ? source.length : source.indexOf("\n", p);
    else if (ch === "/" && source[p + 1] === "*") p = source.indexOf("*/", p + 2) + 1;
    else if (ch === '"' || ch === "'" || ch === "`") {
      for (p++; p < source.length && source[p] !== ch; p++) if (source[p] === "\\") p++;
    } else if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") {
      depth--;
      if (depth === 0) return p + 1;
    }
  }
  return -1;
}

/**
 * Replaces each exported `defineMessage(...)` declaration of a component
 * source with its laid-out literal (line breaks kept, so positions in
 * messages still point at the right line). Sources without one come back
 * as they are. With a `layout`, a message larger than its payload is a
 * build error at the declaration's line, whatever its `maxSize` says: the
 * image could never send it.
 */
export async function inlineMessages(file: string, source: string, fieldNames?: Set<string>, layout?: MessageLayout): Promise<string> {
  DECLARATION.lastIndex = 0;
  if (!DECLARATION.test(source)) return source;
  const exported = await exportsOf(file, source, layout?.define);
  const edits: Edit[] = [];
  DECLARATION.lastIndex = 0;
  for (let m = DECLARATION.exec(source); m; m = DECLARATION.exec(source)) {
    const value = exported[m[1]!];
    if (!isMessage(value)) continue;
    if (fieldNames) addFieldNames(value.struct, fieldNames);
    const start = m.index + m[0].lastIndexOf("defineMessage");
    const end = closingParen(source, m.index + m[0].length - 1);
    if (end < 0) continue;
    const newlines = source.slice(start, end).replace(/[^\n]/g, "");
    edits.push({ start, end, text: `(${messageLiteral(value)})${newlines}` });
  }
  return applyEdits(source, edits);
}

function eachNode(n: AstNode, visit: (n: AstNode, parent: AstNode | undefined) => void, parent?: AstNode): void {
  visit(n, parent);
  for (const key in n) {
    if (key === "type") continue;
    const v = n[key];
    if (Array.isArray(v)) {
      for (const item of v) if (isAstNode(item)) eachNode(item, visit, n);
    } else if (isAstNode(v)) eachNode(v, visit, n);
  }
}

/**
 * In the bundled image: `Msg.size` and `Msg.amType` of a laid-out message
 * (a top-level name declared once and never assigned) become their numbers,
 * so the minifier folds them and pruning may drop the properties.
 */
export function inlineMessageConstants(code: string): string {
  const ast = parseScript(code);
  const values = new Map<string, Map<string, number>>();
  const declarations = new Map<string, number>();
  const assigned = new Set<string>();
  const declare = (id: unknown) => {
    if (isAstNode(id) && id.type === "Identifier") declarations.set(String(id.name), (declarations.get(String(id.name)) ?? 0) + 1);
  };
  eachNode(ast, (n) => {
    if (n.type === "VariableDeclarator") {
      declare(n.id);
      const init = n.init;
      if (isAstNode(n.id) && n.id.type === "Identifier" && isAstNode(init) && init.type === "ObjectExpression") {
        const props = new Map<string, number>();
        let message = false;
        for (const p of init.properties as AstNode[]) {
          const key = p.type === "Property" && !p.computed && isAstNode(p.key) ? (p.key.type === "Identifier" ? String(p.key.name) : undefined) : undefined;
          const value = isAstNode(p.value) && p.value.type === "Literal" ? p.value.value : undefined;
          if (key === "kind" && value === "message") message = true;
          if ((key === "size" || key === "amType") && typeof value === "number") props.set(key, value);
        }
        if (message) values.set(String(n.id.name), props);
      }
    }
    if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") {
      declare(n.id);
      for (const p of n.params as AstNode[]) declare(p);
    }
    if (n.type === "AssignmentExpression" && isAstNode(n.left) && n.left.type === "Identifier") assigned.add(String(n.left.name));
  });
  const edits: Edit[] = [];
  eachNode(ast, (n, parent) => {
    if (n.type !== "MemberExpression" || n.computed || !isAstNode(n.object) || n.object.type !== "Identifier" || !isAstNode(n.property)) return;
    const name = String(n.object.name);
    const value = values.get(name)?.get(String(n.property.name));
    if (value === undefined || declarations.get(name) !== 1 || assigned.has(name)) return;
    if (parent && ((parent.type === "AssignmentExpression" && parent.left === n) || parent.type === "UpdateExpression" || (parent.type === "UnaryExpression" && parent.operator === "delete"))) return;
    edits.push({ start: n.start, end: n.end, text: String(value) });
  });
  return applyEdits(code, edits);
}
