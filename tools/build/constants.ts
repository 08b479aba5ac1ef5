/**
 * Lets the minifier inline the image's constants. esbuild inlines a
 * module's `const` only in files without value imports, and its bundle
 * turns every top-level `const` into `var`; so the image keeps
 * `var BURST_MS = 160, SEEN = 8, ...` and names them at each use. Here the
 * bundle's function wrapper is taken off and each top-level declaration
 * whose names are never assigned again becomes `const` once more, those
 * with literal values moved first (esbuild inlines only constants declared
 * before any other statement), so that the minifying pass (which wraps the
 * code again) puts the values in place.
 */
import { applyEdits, type Edit, isFunction, isNode, type Node, parseScript, walk } from "./ast.ts";

/** Names any code assigns to, increments or declares again (in any scope: shadowing only makes this cautious). */
function assignedNames(root: Node): Set<string> {
  const names = new Set<string>();
  const target = (t: unknown) => {
    if (!isNode(t)) return;
    if (t.type === "Identifier") names.add(String(t.name));
    // `x.y = ...` and `x[k] = ...` rebind no name; a pattern may (its names are collected with room to spare).
    else if (t.type !== "MemberExpression") walk(t, (n) => {
      if (n.type === "Identifier") names.add(String(n.name));
    });
  };
  walk(root, (n) => {
    if (n.type === "AssignmentExpression") target(n.left);
    else if (n.type === "UpdateExpression") target(n.argument);
    else if (n.type === "ForInStatement" || n.type === "ForOfStatement") target(n.left);
  });
  return names;
}

/** A number, string or boolean literal (or a negated number). */
function isPrimitive(n: Node): boolean {
  if (n.type === "Literal") return typeof n.value === "number" || typeof n.value === "string" || typeof n.value === "boolean";
  return n.type === "UnaryExpression" && n.operator === "-" && isNode(n.argument) && isPrimitive(n.argument);
}

/** Per name: how many declarations (variables, functions, parameters) and which references it has. */
function nameUses(root: Node): Map<string, { declarations: number; references: Node[] }> {
  const out = new Map<string, { declarations: number; references: Node[] }>();
  const entry = (name: string) => {
    let e = out.get(name);
    if (!e) out.set(name, (e = { declarations: 0, references: [] }));
    return e;
  };
  const declare = (n: unknown) => {
    if (isNode(n)) {
      walk(n, (x) => {
        if (x.type === "Identifier") entry(String(x.name)).declarations++;
      });
    }
  };
  const declaredIds = new Set<Node>();
  walk(root, (n) => {
    if (n.type === "VariableDeclarator" || n.type === "ClassDeclaration" || n.type === "ClassExpression") {
      declare(n.id);
      if (isNode(n.id)) walk(n.id, (x) => void declaredIds.add(x));
    }
    if (isFunction(n)) {
      for (const p of [n.id, ...(n.params as Node[])]) {
        declare(p);
        if (isNode(p)) walk(p, (x) => void declaredIds.add(x));
      }
    }
    if (n.type === "CatchClause") {
      declare(n.param);
      if (isNode(n.param)) walk(n.param, (x) => void declaredIds.add(x));
    }
  });
  const visit = (n: Node, notReference: boolean): void => {
    // `{ name }` names the property too: such a use cannot be replaced by a value.
    if (n.type === "Property" && n.shorthand) {
      entry(String((n.key as Node).name)).declarations++;
      return;
    }
    if (n.type === "Identifier" && !notReference && !declaredIds.has(n)) entry(String(n.name)).references.push(n);
    for (const key in n) {
      if (key === "type") continue;
      const v = n[key];
      const skip = (n.type === "MemberExpression" && key === "property" && !n.computed) || (n.type === "Property" && key === "key" && !n.computed && !n.shorthand) || key === "label";
      if (Array.isArray(v)) {
        for (const item of v) if (isNode(item)) visit(item, false);
      } else if (isNode(v)) visit(v, skip);
    }
  };
  visit(root, false);
  return out;
}

/**
 * `(() => { body })();` -> body with its never-reassigned top-level `var`
 * declarations made `const`, for a minifying pass with `format: "iife"`.
 * Code of any other shape comes back unchanged, with `unwrapped: false`.
 */
export function unwrapForMinify(code: string): { code: string; unwrapped: boolean } {
  const ast = parseScript(code);
  const statements = ast.body as Node[];
  const first = statements[0];
  if (statements.length !== 1 || !first || first.type !== "ExpressionStatement") return { code, unwrapped: false };
  const call = first.expression as Node;
  const fn = call.type === "CallExpression" && (call.arguments as Node[]).length === 0 ? (call.callee as Node) : undefined;
  const body = fn && (fn.type === "ArrowFunctionExpression" || fn.type === "FunctionExpression") && (fn.params as Node[]).length === 0 ? (fn.body as Node) : undefined;
  if (!body || body.type !== "BlockStatement") return { code, unwrapped: false };
  const assigned = assignedNames(body);
  const fixedName = (d: Node) => isNode(d.id) && d.id.type === "Identifier" && isNode(d.init) && !assigned.has(String(d.id.name));
  const names = nameUses(body);
  // esbuild inlines only the constants declared before any other statement: primitive ones move up there.
  // It leaves longer strings where they are: one used once (and declared once, so never shadowed) goes in its place here.
  const hoisted: string[] = [];
  const edits: Edit[] = [];
  for (const s of body.body as Node[]) {
    if (s.type !== "VariableDeclaration" || s.kind !== "var") continue;
    const declarators = s.declarations as Node[];
    const kept: Node[] = [];
    const cuts: number[] = [];
    const cut = (i: number) => void cuts.push(i);
    declarators.forEach((d, i) => {
      const name = isNode(d.id) ? String(d.id.name) : "";
      const uses = names.get(name);
      if (fixedName(d) && isNode(d.init) && d.init.type === "Literal" && typeof d.init.value === "string" && uses?.declarations === 1 && uses.references.length === 1) {
        const ref = uses.references[0]!;
        edits.push({ start: ref.start, end: ref.end, text: code.slice(d.init.start, d.init.end) });
        cut(i);
      } else if (fixedName(d) && isPrimitive(d.init as Node)) {
        hoisted.push(code.slice(d.start, d.end));
        cut(i);
      } else kept.push(d);
    });
    // Each declarator taken out goes with the comma after it; the last ones with the comma before them.
    const keptIndexes = declarators.map((d, i) => (kept.includes(d) ? i : -1)).filter((i) => i >= 0);
    const lastKept = keptIndexes.at(-1) ?? -1;
    for (const i of cuts) {
      const d = declarators[i]!;
      if (i < lastKept) edits.push({ start: d.start, end: declarators[i + 1]!.start, text: "" });
      else if (lastKept >= 0) edits.push({ start: declarators[lastKept]!.end, end: d.end, text: "" });
    }
    if (kept.length === 0) edits.push({ start: s.start, end: s.end, text: "" });
    else if (kept.every(fixedName)) edits.push({ start: s.start, end: s.start + 3, text: "const" });
  }
  let out = applyEdits(code, edits, body.start + 1, body.end - 1);
  if (hoisted.length) out = `const ${hoisted.join(", ")};\n${out}`;
  return { code: out, unwrapped: true };
}

/** Built-ins every platform's engine has (Espruino included), worth a short local name when used often. */
const ALIASABLE = new Set(["Uint8Array", "Uint16Array", "Uint32Array", "Int8Array", "Int16Array", "Int32Array", "Math", "Object", "Array", "String", "Number", "JSON", "DataView"]);

/**
 * Names the built-ins the code uses several times once, at its top
 * (`const Uint8Array$ = Uint8Array`), so the minifier shortens each use to a
 * letter or two. Only for names nothing in the code declares or tests with
 * `typeof`. `code` is a script's top level (unwrapForMinify's output).
 */
export function aliasBuiltins(code: string): string {
  const ast = parseScript(code);
  const declared = new Set<string>();
  const uses = new Map<string, Node[]>();
  const declare = (n: unknown) => {
    if (isNode(n)) {
      walk(n, (x) => {
        if (x.type === "Identifier") declared.add(String(x.name));
      });
    }
  };
  const visit = (n: Node, skip: boolean): void => {
    if (n.type === "VariableDeclarator") declare(n.id);
    if (isFunction(n)) {
      declare(n.id);
      for (const p of n.params as Node[]) declare(p);
    }
    if (n.type === "UnaryExpression" && n.operator === "typeof") declare(n.argument);
    // `{ Uint8Array }` names the property too: no alias for that name.
    if (n.type === "Property" && n.shorthand) {
      declare(n.key);
      return;
    }
    if (n.type === "Identifier" && !skip && ALIASABLE.has(String(n.name))) {
      const list = uses.get(String(n.name)) ?? [];
      list.push(n);
      uses.set(String(n.name), list);
    }
    for (const key in n) {
      if (key === "type") continue;
      const v = n[key];
      // Property names and non-computed member names are not references.
      const notReference = (n.type === "MemberExpression" && key === "property" && !n.computed) || (n.type === "Property" && key === "key" && !n.computed && !n.shorthand);
      if (Array.isArray(v)) {
        for (const item of v) if (isNode(item)) visit(item, false);
      } else if (isNode(v)) visit(v, notReference);
    }
  };
  visit(ast, false);
  const aliases: string[] = [];
  const edits: Edit[] = [];
  for (const [name, list] of uses) {
    const alias = `${name}$`;
    // An alias pays for itself from three uses on (`const x=Uint8Array,` costs about two names).
    if (declared.has(name) || declared.has(alias) || list.length < 3) continue;
    aliases.push(`${alias} = ${name}`);
    for (const n of list) edits.push({ start: n.start, end: n.end, text: alias });
  }
  if (aliases.length === 0) return code;
  // After the leading literal constants (unwrapForMinify's), which esbuild inlines only while nothing precedes them.
  const first = (ast.body as Node[])[0];
  const leading = first && first.type === "VariableDeclaration" && (first.declarations as Node[]).every((d) => isNode(d.init) && isPrimitive(d.init)) ? first.end : 0;
  edits.push({ start: leading, end: leading, text: `${leading ? "\n" : ""}const ${aliases.join(", ")};\n` });
  return applyEdits(code, edits);
}

/**
 * Generic modules made once: a module factory that only one instance calls,
 * with literal arguments after its context and host (`SchedulerBasicP(c, 0,
 * 5)`), takes them as constants declared in its body instead, so that the
 * minifier folds what depends on them (a sensor's channel picks its one
 * reader; a queue of one client loses its loops' generality).
 * `moduleNames`: the module factories' names (esbuild may add a digit suffix).
 */
export function specializeGenerics(code: string, moduleNames: ReadonlySet<string>): string {
  const ast = parseScript(code);
  const factories = new Map<string, Node>();
  const calls = new Map<string, Node[]>();
  const references = new Map<string, number>();
  walk(ast, (n) => {
    if (n.type === "VariableDeclarator" && isNode(n.id) && n.id.type === "Identifier" && isNode(n.init) && isFunction(n.init)) {
      const name = String(n.id.name);
      if (moduleNames.has(name.replace(/\d+$/, ""))) factories.set(name, n.init);
    }
    if (n.type === "CallExpression" && isNode(n.callee) && n.callee.type === "Identifier") {
      const list = calls.get(String(n.callee.name)) ?? [];
      list.push(n);
      calls.set(String(n.callee.name), list);
    }
    if (n.type === "Identifier") references.set(String(n.name), (references.get(String(n.name)) ?? 0) + 1);
  });
  const edits: Edit[] = [];
  for (const [name, fn] of factories) {
    const sites = calls.get(name) ?? [];
    // One call, and the name used nowhere else (its declaration and that call).
    if (sites.length !== 1 || references.get(name) !== 2) continue;
    const call = sites[0]!;
    const args = call.arguments as Node[];
    const params = fn.params as Node[];
    if (args.length <= 2 || params.length <= 2 || params.length > args.length) continue;
    const extra = args.slice(2, params.length);
    if (!extra.every((a) => isPrimitive(a)) || !params.slice(2).every((p) => p.type === "Identifier")) continue;
    const assigned = assignedNames(fn.body as Node);
    const decls = params.slice(2).map((p, i) => `${assigned.has(String(p.name)) ? "let" : "const"} ${String(p.name)} = ${code.slice(extra[i]!.start, extra[i]!.end)};`);
    // A board's image passes 0 for the host: that parameter goes too when the body never reads it.
    const host = params[1]!;
    let hostUsed = false;
    walk(fn.body as Node, (n) => {
      if (n.type === "Identifier" && n.name === host.name) hostUsed = true;
    });
    const keep = isNode(args[1]) && args[1].type === "Literal" && args[1].value === 0 && host.type === "Identifier" && !hostUsed ? 1 : 2;
    // The factory: the parameters go, the constants open its body.
    edits.push({ start: params[keep - 1]!.end, end: params.at(-1)!.end, text: "" });
    const body = fn.body as Node;
    if (body.type === "BlockStatement") edits.push({ start: body.start + 1, end: body.start + 1, text: ` ${decls.join(" ")}` });
    else {
      // An arrow's expression body (acorn's node leaves out its parentheses): a block around all after `=>`.
      const arrow = code.indexOf("=>", params.at(-1)!.end) + 2;
      edits.push({ start: arrow, end: arrow, text: ` { ${decls.join(" ")} return ` });
      edits.push({ start: fn.end, end: fn.end, text: "; }" });
    }
    // The call: only context (and host).
    edits.push({ start: args[keep - 1]!.end, end: args.at(-1)!.end, text: "" });
  }
  return applyEdits(code, edits);
}
