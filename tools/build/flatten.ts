/**
 * Whole-program flattening for a board's image, as nesC does it: a board
 * starts one mote, so every module instance's implementation can live in
 * one scope, the image's own. Each instance's factory body runs there once,
 * its locals renamed for the instance; every function it provides is kept
 * in a variable of that scope instead of an interface object; and a call
 * through the instance's context (`c.Send.send(...)`) names the variable of
 * the function it is wired to. Fan-out, dispatch and bound indexes become
 * functions made once at start, named the same way.
 *
 * What goes, each of which holds JsVars on Espruino for as long as the mote
 * runs: the module factories as function objects, the objects they return,
 * the interface and context objects, the glue's helpers and the objects
 * they build, a kept scope per instance, and the chain of scopes a function
 * defined two or more function scopes deep copies (Espruino's jsparse.c,
 * jspeiGetScopesAsVar: an array, and a name per scope): every function ends
 * up one scope deep. The cost: Espruino finds a variable by walking its
 * scope's list of names, and that scope is now long.
 *
 * Any shape this pass does not know (a factory used another way than the
 * glue's `iK = Factory(cK, ...)`, its context used whole, `this` in a
 * provided function, more than one return) leaves the image as it was:
 * flattening is all or nothing. A factory body reading its own `this` or
 * `arguments` keeps a function of its own, called in place.
 */
import { applyEdits as applyAll, children, type Edit, ident, isFunction, isNode, keyName, type Node, parseScript, walk } from "./ast.ts";

/** The glue's helper functions (tools/build/generate.ts). */
const GLUE_HELPERS = new Set(["bindIndex", "fanOut", "fanOne", "dispatch", "dispatchOne", "noop"]);

/** A provided function, or a nested object of them, as a module's factory returns it. */
type Tree = { kind: "leaf"; value: Node; method: boolean; name: string } | { kind: "object"; props: Map<string, Tree> };

interface Factory {
  readonly declarator: Node;
  readonly declaration: Node;
  readonly fn: Node;
  readonly ctx: string | undefined;
  /** The returned object, as a tree of provided functions. */
  readonly tree: Map<string, Tree>;
  /** The statement that returns it (undefined: the arrow's expression body is the object). */
  readonly returnStatement: Node | undefined;
  /** What the return evaluates before the object (`return a(), {...}`). */
  readonly before: readonly Node[];
  /** `ctx.Slot.fn` (member node of `.fn`) and `ctx.Slot` read whole. */
  readonly calls: { node: Node; slot: string; fn: string }[];
  readonly wholeSlots: { node: Node; slot: string }[];
}

interface Instance {
  readonly name: string;
  readonly factory: string;
  readonly ctx: string | undefined;
  readonly call: Node;
}

/** Names declared anywhere in `root` (parameters, variables, functions, catch clauses). */
function declaredNames(root: Node): Set<string> {
  const out = new Set<string>();
  walk(root, (n) => {
    if (isFunction(n)) for (const p of n.params as Node[]) if (ident(p)) out.add(ident(p)!);
    if ((n.type === "FunctionDeclaration" || n.type === "FunctionExpression") && ident(n.id)) out.add(ident(n.id)!);
    if (n.type === "VariableDeclarator" && ident(n.id)) out.add(ident(n.id)!);
    if (n.type === "CatchClause" && ident(n.param)) out.add(ident(n.param)!);
  });
  return out;
}

/** Calls `use` for every identifier used as a name (not a property key of `a.b` or `{ b: ... }`), with where it sits. */
function visitNames(root: Node, use: (n: Node, parent: Node | undefined, key: string) => void): void {
  const visit = (n: Node, parent: Node | undefined, key: string) => {
    if (n.type === "Identifier") {
      const isProp = parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) || (parent.type === "Property" && key === "key" && !parent.computed && !parent.shorthand));
      if (!isProp) use(n, parent, key);
    }
    for (const k in n) {
      if (k === "type" || k === "start" || k === "end") continue;
      const v = n[k];
      if (Array.isArray(v)) for (const x of v) isNode(x) && visit(x, n, k);
      else if (isNode(v)) visit(v, n, k);
    }
  };
  visit(root, undefined, "");
}

/** Identifiers used as names (not property keys of `a.b` or `{ b: ... }`). */
function referencedNames(root: Node): Set<string> {
  const out = new Set<string>();
  visitNames(root, (n) => out.add(String(n.name)));
  return out;
}

/** The object literal as a tree; undefined when any part is not a plain property. */
function treeOf(obj: Node): Map<string, Tree> | undefined {
  const out = new Map<string, Tree>();
  for (const p of obj.properties as Node[]) {
    if (p.type !== "Property" || p.kind !== "init" || p.computed) return undefined;
    const name = keyName(p);
    if (name === undefined || !/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
    const v = p.value as Node;
    if (v.type === "ObjectExpression") {
      const sub = treeOf(v);
      if (!sub) return undefined;
      out.set(name, { kind: "object", props: sub });
    } else out.set(name, { kind: "leaf", value: v, method: p.method === true, name });
  }
  return out;
}

/** Whether a function's own code (not nested non-arrow functions') uses `this` or `arguments`. */
function usesThis(fn: Node): boolean {
  let found = false;
  walk(fn.body as Node, (n) => {
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration") return false;
    if (n.type === "ThisExpression" || (n.type === "Identifier" && n.name === "arguments")) found = true;
  });
  return found;
}

function analyzeFactory(declarator: Node, declaration: Node): Factory | undefined {
  const fn = declarator.init as Node;
  if (fn.type !== "ArrowFunctionExpression" && fn.type !== "FunctionExpression") return undefined;
  const params = fn.params as Node[];
  if (params.some((p) => p.type !== "Identifier")) return undefined;
  const ctx = ident(params[0]);
  const body = fn.body as Node;
  let returned: Node | undefined;
  let returnStatement: Node | undefined;
  let before: Node[] = [];
  /** `{...}` or `(a, b, {...})`: the object, and what is evaluated before it. */
  const split = (n: Node): Node | undefined => {
    if (n.type === "ObjectExpression") return n;
    if (n.type !== "SequenceExpression") return undefined;
    const list = n.expressions as Node[];
    const last = list.at(-1)!;
    if (last.type !== "ObjectExpression") return undefined;
    before = list.slice(0, -1);
    return last;
  };
  if (body.type !== "BlockStatement") returned = split(body);
  else {
    const statements = body.body as Node[];
    const last = statements.at(-1);
    if (!last || last.type !== "ReturnStatement" || !isNode(last.argument)) return undefined;
    returned = split(last.argument);
    returnStatement = last;
    let returns = 0;
    walk(body, (n) => {
      if (isFunction(n)) return false;
      if (n.type === "ReturnStatement") returns++;
    });
    if (returns !== 1) return undefined;
  }
  if (!returned) return undefined;
  const tree = treeOf(returned);
  if (!tree) return undefined;
  for (const t of leaves(tree)) if (t.value.type === "FunctionExpression" && usesThis(t.value)) return undefined;
  // The context: only `ctx.Slot.fn` and `ctx.Slot`, never shadowed, never whole.
  const calls: Factory["calls"] = [];
  const wholeSlots: Factory["wholeSlots"] = [];
  if (ctx !== undefined) {
    const inner = declaredNames(body);
    for (const p of params.slice(1)) if (ident(p) === ctx) return undefined;
    if (inner.has(ctx)) return undefined;
    let bad = false;
    // Each use of the context: `ctx.Slot.fn` or `ctx.Slot`; anything else (the context whole) is not flattened.
    const visit = (n: Node, parent: Node | undefined) => {
      if (n.type === "MemberExpression" && !n.computed && ident(n.object) === ctx) {
        const slot = ident(n.property)!;
        if (parent && parent.type === "MemberExpression" && parent.object === n && !parent.computed) calls.push({ node: parent, slot, fn: ident(parent.property)! });
        else wholeSlots.push({ node: n, slot });
        return;
      }
      if (n.type === "Identifier" && n.name === ctx) {
        bad = true;
        return;
      }
      for (const c of children(n)) {
        // A property key named like the context is not the context.
        if (n.type === "MemberExpression" && c === n.property && !n.computed) continue;
        if (n.type === "Property" && c === n.key && !n.computed && !n.shorthand) continue;
        visit(c, n);
      }
    };
    visit(body, undefined);
    if (bad) return undefined;
    // An assignment to `ctx.Slot.fn` or `ctx.Slot` is not a call the wiring can resolve.
    let assigns = false;
    walk(body, (n) => {
      if (n.type === "AssignmentExpression" || n.type === "UpdateExpression") {
        const target = (n.left ?? n.argument) as Node;
        if (calls.some((c) => c.node === target) || wholeSlots.some((w) => w.node === target)) assigns = true;
      }
    });
    if (assigns) return undefined;
  }
  return { declarator, declaration, fn, ctx, tree, returnStatement, before, calls, wholeSlots };
}

/** The let/const/class/function names a block (or a loop's head, a catch clause) declares directly. */
function blockNames(n: Node): Set<string> {
  const out = new Set<string>();
  const declare = (st: Node) => {
    if (st.type === "VariableDeclaration" && st.kind !== "var") for (const d of st.declarations as Node[]) if (ident(d.id)) out.add(ident(d.id)!);
    if ((st.type === "FunctionDeclaration" || st.type === "ClassDeclaration") && ident(st.id)) out.add(ident(st.id)!);
  };
  if (n.type === "BlockStatement" || n.type === "Program") (n.body as Node[]).forEach(declare);
  if (n.type === "SwitchStatement") for (const c of n.cases as Node[]) (c.consequent as Node[]).forEach(declare);
  if (n.type === "ForStatement" && isNode(n.init)) declare(n.init);
  if ((n.type === "ForInStatement" || n.type === "ForOfStatement") && isNode(n.left)) declare(n.left);
  if (n.type === "CatchClause" && ident(n.param)) out.add(ident(n.param)!);
  return out;
}

/** What a function's own scope declares: its parameters, its `var`s (outside nested functions), its body's block names. */
function functionNames(fn: Node): Set<string> {
  const out = new Set<string>();
  for (const p of fn.params as Node[]) if (ident(p)) out.add(ident(p)!);
  if (fn.type === "FunctionExpression" && ident(fn.id)) out.add(ident(fn.id)!);
  const body = fn.body as Node;
  if (body.type !== "BlockStatement") return out;
  walk(body, (n) => {
    if (isFunction(n)) return false;
    if (n.type === "VariableDeclaration" && n.kind === "var") for (const d of n.declarations as Node[]) if (ident(d.id)) out.add(ident(d.id)!);
  });
  for (const name of blockNames(body)) out.add(name);
  return out;
}

/**
 * Renames what a factory's own scope declares (`names`), at every use that resolves to it and not to a
 * nearer declaration of a nested function or block, so that the factory's body can run in a scope it
 * shares with other instances'. Undefined when the body reads `this` or `arguments` of its own.
 */
function renameLocals(fn: Node, names: ReadonlySet<string>, rename: (name: string) => string): Edit[] | undefined {
  const edits: Edit[] = [];
  const scopes: Set<string>[] = [];
  const shadowed = (name: string) => scopes.some((sc) => sc.has(name));
  let own = true;
  const visit = (n: Node, parent: Node | undefined, key: string, top: boolean) => {
    if (n.type === "ThisExpression" && top) own = false;
    if (n.type === "Identifier") {
      const name = String(n.name);
      if (name === "arguments" && top) own = false;
      const isKey = parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) || ((parent.type === "Property" || parent.type === "MethodDefinition") && key === "key" && !parent.computed));
      if (!isKey && names.has(name) && !shadowed(name)) {
        // `{ x }` keeps its key: `{ x: renamed }`.
        if (parent?.type === "Property" && parent.shorthand && key === "value") edits.push({ start: parent.start, end: parent.end, text: `${name}: ${rename(name)}` });
        else edits.push({ start: n.start, end: n.end, text: rename(name) });
      }
      return;
    }
    const opens = isFunction(n) ? functionNames(n) : n.type === "BlockStatement" && parent && isFunction(parent) ? undefined : blockNames(n);
    if (opens && opens.size) scopes.push(opens);
    for (const k in n) {
      if (k === "type" || k === "start" || k === "end") continue;
      const v = n[k];
      const inner = top && !(isFunction(n) && n.type !== "ArrowFunctionExpression");
      if (Array.isArray(v)) for (const x of v) isNode(x) && visit(x, n, k, inner);
      else if (isNode(v)) visit(v, n, k, inner);
    }
    if (opens && opens.size) scopes.pop();
  };
  visit(fn.body as Node, fn, "body", true);
  return own ? edits : undefined;
}

/**
 * A function's text with its parameters numbered (`(p0, p1) => p1`). In the flattened image every
 * instance's own names are renamed apart, so two provided functions whose texts are equal this way read
 * the same variables and behave alike.
 */
function canonicalFunction(text: string): string | undefined {
  if (text.length > 400) return undefined;
  let fn: Node;
  try {
    fn = (parseScript(`(${text});`).body as Node[])[0]!.expression as Node;
  } catch {
    return undefined;
  }
  if (!isFunction(fn)) return undefined;
  const params = (fn.params as Node[]).map((p) => ident(p));
  // A parameter declared again inside (a nested function's, a block's) would be renamed wrongly: leave those.
  if (params.some((p) => p === undefined) || params.some((p) => declaredNames(fn.body as Node).has(p!))) return undefined;
  const src = `(${text});`;
  const edits: Edit[] = [];
  visitNames(fn.body as Node, (n) => {
    const i = params.indexOf(String(n.name));
    if (i >= 0) edits.push({ start: n.start, end: n.end, text: `p${i}` });
  });
  const body = fn.body as Node;
  return `${fn.type === "ArrowFunctionExpression" ? "=>" : "function"}(${params.map((_, i) => `p${i}`).join(",")})${applyAll(src, edits, body.start, body.end)}`;
}

/** The variable a function's text calls with exactly its own parameters, in order, and nothing else. */
function forwardsAll(text: string): string | undefined {
  if (text.length > 200 || !text.includes("$$")) return undefined;
  let fn: Node;
  try {
    fn = ((parseScript(`(${text});`).body as Node[])[0]!.expression as Node);
  } catch {
    return undefined;
  }
  if (!isFunction(fn)) return undefined;
  let call = fn.body as Node;
  if (call.type === "BlockStatement") {
    const body = call.body as Node[];
    if (body.length !== 1 || body[0]!.type !== "ReturnStatement" || !isNode(body[0]!.argument)) return undefined;
    call = body[0]!.argument as Node;
  }
  const callee = call.type === "CallExpression" ? ident(call.callee) : undefined;
  if (!callee?.startsWith("$$")) return undefined;
  const params = (fn.params as Node[]).map(ident);
  const args = (call.arguments as Node[]).map(ident);
  return params.length === args.length && params.every((p, i) => p !== undefined && p === args[i]) ? callee : undefined;
}

/** The text of [from, to) with the edits that fall inside it. */
const applyEdits = (code: string, edits: readonly Edit[], from: number, to: number): string =>
  applyAll(code, edits.filter((e) => e.start >= from && e.end <= to), from, to);

/** `a.b.c`: the name it starts from (a), and the property names after it. */
function memberPath(n: Node): { inst: string | undefined; path: string[] } {
  const path: string[] = [];
  let at = n;
  while (at.type === "MemberExpression" && !at.computed) {
    path.unshift(ident(at.property)!);
    at = at.object as Node;
  }
  return { inst: ident(at), path };
}

function leaves(tree: Map<string, Tree>): Extract<Tree, { kind: "leaf" }>[] {
  const out: Extract<Tree, { kind: "leaf" }>[] = [];
  for (const t of tree.values()) {
    if (t.kind === "leaf") out.push(t);
    else out.push(...leaves(t.props));
  }
  return out;
}

/**
 * LEAF when `fn` is a dispatcher with one case and no default
 * (`function (i, a, b) { return i === K ? (LEAF)(a, b) : (void 0)(i, a, b); }`,
 * a parameterized interface wired at one index): any other index would throw,
 * which a wired program never does, so its callers may call LEAF itself.
 */
function oneCaseDispatch(fn: Node): string | undefined {
  if (fn.type !== "FunctionExpression") return undefined;
  const params = (fn.params as Node[]).map((p) => ident(p));
  const body = (fn.body as Node).body as Node[];
  const ret = body.length === 1 && body[0]!.type === "ReturnStatement" ? (body[0]!.argument as Node | null) : null;
  if (!ret || ret.type !== "ConditionalExpression" || params.length === 0 || params.some((p) => p === undefined)) return undefined;
  const test = ret.test as Node;
  const hit = ret.consequent as Node;
  const miss = ret.alternate as Node;
  if (test.type !== "BinaryExpression" || test.operator !== "===" || ident(test.left) !== params[0] || (test.right as Node).type !== "Literal") return undefined;
  if (hit.type !== "CallExpression" || ident(hit.callee) === undefined) return undefined;
  const passed = (hit.arguments as Node[]).map((a) => ident(a));
  if (passed.length !== params.length - 1 || passed.some((a, i) => a !== params[i + 1])) return undefined;
  const missCallee = miss.type === "CallExpression" ? (miss.callee as Node) : undefined;
  if (!missCallee || missCallee.type !== "UnaryExpression" || missCallee.operator !== "void") return undefined;
  return ident(hit.callee);
}

/**
 * `NAME = LEAF.bind(null, K)` (a bound index: a task's post, a timer of a
 * virtualized set, one of several senders) whose every use is a call: the
 * calls become `LEAF(K, ...)`, as nesC passes the parameter, and the bound
 * function goes. On Espruino a bound function is a function object of its
 * own with a copy of every name of LEAF's, its bound argument and `this`
 * (jswrap_functions.c, jswrap_function_bind), held while the mote runs.
 * `body` is the flattened image body: `var ...;` then its statements.
 */
function callBoundDirectly(body: string): string {
  const ast = parseScript(body);
  const statements = ast.body as Node[];
  const declaration = statements[0];
  if (!declaration || declaration.type !== "VariableDeclaration") return body;
  // index: what the calls pass first; undefined: they pass an index the call drops.
  const bound = new Map<string, { leaf: string; index: string | undefined; statement: Node }>();
  for (const st of statements) {
    const e = st.type === "ExpressionStatement" ? (st.expression as Node) : undefined;
    if (!e || e.type !== "AssignmentExpression" || e.operator !== "=" || ident(e.left) === undefined) continue;
    const one = oneCaseDispatch(e.right as Node);
    // Only the image's own `$$` names: no local of a caller can shadow them where the call is written.
    if (one !== undefined && one.startsWith("$$")) {
      bound.set(ident(e.left)!, { leaf: one, index: undefined, statement: st });
      continue;
    }
    const call = e.right as Node;
    const callee = call.type === "CallExpression" ? (call.callee as Node) : undefined;
    const args = call.arguments as Node[] | undefined;
    if (!callee || callee.type !== "MemberExpression" || callee.computed || ident(callee.property) !== "bind" || !args) continue;
    const leaf = ident(callee.object);
    if (leaf === undefined || !leaf.startsWith("$$") || args.length !== 2 || args[0]!.type !== "Literal" || args[0]!.value !== null || args[1]!.type !== "Literal" || typeof args[1]!.value !== "number") continue;
    bound.set(ident(e.left)!, { leaf, index: String(args[1]!.value), statement: st });
  }
  if (bound.size === 0) return body;
  // Every other use of a bound name, and whether it is the callee of a call (which call).
  const uses = new Map<string, { node: Node; call: Node | undefined }[]>();
  visitNames(ast, (n, parent, key) => {
    const name = String(n.name);
    const b = bound.get(name);
    if (!b) return;
    const isDeclaration = parent?.type === "VariableDeclarator" && key === "id";
    const isBinding = parent?.type === "AssignmentExpression" && key === "left" && b.statement.expression === parent;
    if (!isDeclaration && !isBinding) uses.set(name, [...(uses.get(name) ?? []), { node: n, call: parent?.type === "CallExpression" && key === "callee" ? parent : undefined }]);
  });
  const edits: Edit[] = [];
  const gone = new Set<string>();
  for (const [name, b] of bound) {
    const list = uses.get(name) ?? [];
    // A name also read as a value (handed on, compared) keeps its bound function; a dispatcher, also a call
    // whose index has effects or is missing.
    const simple = (n: Node | undefined) => n !== undefined && (n.type === "Identifier" || n.type === "Literal");
    if (list.some((u) => u.call === undefined || (b.index === undefined && !simple((u.call.arguments as Node[])[0])))) continue;
    for (const u of list) {
      const call = u.call!;
      const args = call.arguments as Node[];
      edits.push({ start: u.node.start, end: u.node.end, text: b.leaf });
      let open = u.node.end;
      while (open < body.length && body[open] !== "(") open++;
      if (b.index === undefined) {
        // The index goes, with its parentheses (`((2), n)`) and the comma after it.
        edits.push({ start: open + 1, end: args[1] ? args[1].start : call.end - 1, text: "" });
        continue;
      }
      edits.push({ start: open + 1, end: open + 1, text: args.length === 0 ? b.index : `${b.index}, ` });
    }
    edits.push({ start: b.statement.start, end: b.statement.end, text: "" });
    gone.add(name);
  }
  if (gone.size === 0) return body;
  const kept = (declaration.declarations as Node[]).map((d) => body.slice(d.start, d.end)).filter((d) => !gone.has(d));
  edits.push({ start: declaration.start, end: declaration.end, text: kept.length ? `var ${kept.join(", ")};` : "" });
  return applyAll(body, edits);
}

export interface FlattenResult {
  readonly code: string;
  /** Module instances flattened (0: the image was left as it was). */
  readonly instances: number;
  /** Why the image was left as it was. */
  readonly reason?: string;
}

/**
 * Flattens the bundled image (`(() => { ...factories...; function mote() {...}; mote(); })()`).
 * `moduleNames`: the module factories' names (esbuild may add a digit suffix).
 */
export function flattenInstances(code: string, moduleNames: ReadonlySet<string>): FlattenResult {
  const unchanged: FlattenResult = { code, instances: 0 };
  const bail = (reason: string): FlattenResult => ({ ...unchanged, reason });
  const ast = parseScript(code);
  const all = referencedNames(ast);
  for (const n of declaredNames(ast)) all.add(n);
  if ([...all].some((n) => n.startsWith("$$"))) return bail("the image already uses names starting with $$");

  // Factories at the image's top level.
  const factoryDecls = new Map<string, { declarator: Node; declaration: Node }>();
  let glue: Node | undefined;
  walk(ast, (n) => {
    if (n.type === "FunctionDeclaration" && ident(n.id) === "mote") glue = n;
    if (n.type === "VariableDeclaration") {
      for (const d of n.declarations as Node[]) {
        const name = ident(d.id);
        if (name && isNode(d.init) && isFunction(d.init) && moduleNames.has(name.replace(/\d+$/, ""))) factoryDecls.set(name, { declarator: d, declaration: n });
      }
    }
  });
  if (!glue) return bail("no glue function `mote`");
  const moteBody = glue.body as Node;
  const statements = moteBody.body as Node[];

  // The glue: `var cK = {}, iK = Factory(cK, ...)`, then `cK.Slot = ...` assignments, then the boot call.
  const instances = new Map<string, Instance>();
  const contexts = new Set<string>();
  const bindings = new Map<string, Map<string, Node>>(); // ctx -> slot -> right-hand side
  const rest: Node[] = []; // expressions that are neither: the boot call
  for (const s of statements) {
    if (s.type === "VariableDeclaration") {
      for (const d of s.declarations as Node[]) {
        const name = ident(d.id);
        const init = d.init as Node | undefined;
        if (!name || !init) return bail("a glue variable without a value");
        if (init.type === "ObjectExpression" && (init.properties as Node[]).length === 0) contexts.add(name);
        else if (init.type === "CallExpression" && ident(init.callee) && factoryDecls.has(ident(init.callee)!)) {
          const args = init.arguments as Node[];
          const ctx = ident(args[0]);
          instances.set(name, { name, factory: ident(init.callee)!, ctx: ctx && contexts.has(ctx) ? ctx : undefined, call: init });
        } else return bail("a glue variable that is neither a context nor an instance");
      }
    } else if (s.type === "ExpressionStatement") {
      const expression = s.expression as Node;
      const list = expression.type === "SequenceExpression" ? (expression.expressions as Node[]) : [expression];
      for (const e of list) {
        const left = e.type === "AssignmentExpression" && e.operator === "=" ? (e.left as Node) : undefined;
        const ctx = left && left.type === "MemberExpression" && !left.computed ? ident(left.object) : undefined;
        if (left && ctx && contexts.has(ctx)) {
          const slots = bindings.get(ctx) ?? new Map<string, Node>();
          slots.set(ident(left.property)!, e.right as Node);
          bindings.set(ctx, slots);
        } else rest.push(e);
      }
    } else return bail("a glue statement of an unknown shape");
  }
  if (instances.size === 0) return bail("no module instances");
  // The glue's own names must not be what a factory body reads from outside.
  const moteNames = declaredNames(glue);

  const factories = new Map<string, Factory>();
  for (const inst of instances.values()) {
    if (factories.has(inst.factory)) continue;
    const d = factoryDecls.get(inst.factory)!;
    const f = analyzeFactory(d.declarator, d.declaration);
    if (!f) return bail(`module ${inst.factory}: its implementation has a shape flattening does not know (a return that is not one object literal of interfaces, the context used whole, this)`);
    const inner = declaredNames(f.fn);
    for (const n of referencedNames(f.fn)) if (moteNames.has(n) && !inner.has(n)) return bail(`module ${inst.factory} reads a name the glue declares`);
    factories.set(inst.factory, f);
  }
  // Every factory used only by the glue's instance calls (its name read nowhere else).
  const calledAt = new Map<string, number>();
  walk(ast, (n) => {
    if (n.type === "Identifier" && factories.has(String(n.name))) calledAt.set(String(n.name), (calledAt.get(String(n.name)) ?? 0) + 1);
  });
  for (const [name] of factories) {
    const calls = [...instances.values()].filter((i) => i.factory === name).length;
    if (calledAt.get(name) !== calls + 1) return bail(`module ${name} is used outside the glue`);
  }

  const instanceIndex = new Map<string, number>();
  [...instances.keys()].forEach((k, i) => instanceIndex.set(k, i));
  const leafVar = (inst: string, path: readonly string[]) => `$$${instanceIndex.get(inst)}_${path.join("_")}`;
  const ctxOwner = new Map<string, string>();
  for (const i of instances.values()) if (i.ctx) ctxOwner.set(i.ctx, i.name);
  const slotVar = (ctx: string, slot: string, fn?: string) => `$$${instanceIndex.get(ctxOwner.get(ctx)!)}c_${slot}${fn ? `_${fn}` : ""}`;

  const declared: string[] = [];
  /** Each provided value's assignment; pure: leaving it out changes nothing but what is kept. */
  const leafAssignments = new Map<string, { text: string; pure: boolean; value?: string }>();
  /** Leaves of instances whose body runs in a function of its own, its names as they were. */
  const unrenamed = new Set<string>();
  /** `iK.a.b` in the glue: the variable of a leaf, or an object literal rebuilt from them. */
  const glueRef = (n: Node): string | undefined => {
    const { inst, path } = memberPath(n);
    if (!inst || !instances.has(inst) || path.length === 0) return undefined;
    let tree: Tree = { kind: "object", props: factories.get(instances.get(inst)!.factory)!.tree };
    for (let i = 0; i < path.length; i++) {
      // Past a provided value that is not an object literal (`defaults` kept in a local): read on from it.
      if (tree.kind !== "object") return `${leafVar(inst, path.slice(0, i))}.${path.slice(i).join(".")}`;
      const next = tree.props.get(path[i]!);
      if (!next) return undefined;
      tree = next;
    }
    const build = (t: Tree, at: string[]): string =>
      t.kind === "leaf" ? leafVar(inst, at) : `{ ${[...t.props].map(([k, v]) => `${k}: ${build(v, [...at, k])}`).join(", ")} }`;
    return build(tree, path);
  };
  /** The glue expression with every instance reference resolved; undefined if one cannot be. */
  const rewriteGlue = (expr: Node): string | undefined => {
    const edits: Edit[] = [];
    let ok = true;
    walk(expr, (n) => {
      if (n.type === "MemberExpression" && !n.computed) {
        let root = n;
        while (root.type === "MemberExpression") root = root.object as Node;
        if (ident(root) && instances.has(ident(root)!)) {
          const r = glueRef(n);
          if (r === undefined) ok = false;
          else edits.push({ start: n.start, end: n.end, text: r });
          return false;
        }
      }
      if (n.type === "Identifier" && (instances.has(String(n.name)) || contexts.has(String(n.name)))) ok = false;
    });
    return ok ? applyEdits(code, edits, expr.start, expr.end) : undefined;
  };

  /** What instance `inst` provides at `path` (an interface, a function), if it does. */
  const provided = (inst: string, path: readonly string[]): Tree | undefined => {
    let tree: Tree = { kind: "object", props: factories.get(instances.get(inst)!.factory)!.tree };
    for (const p of path) {
      const next: Tree | undefined = tree.kind === "object" ? tree.props.get(p) : undefined;
      if (!next) return undefined;
      tree = next;
    }
    return tree;
  };
  /** `bindIndex(iK.Iface, n)`: the index, and the variable of each function of the interface. */
  const boundIndex = (n: Node): { index: number; functions: Record<string, string> } | undefined => {
    if (n.type !== "CallExpression" || ident(n.callee) !== "bindIndex") return undefined;
    const [target, index] = n.arguments as Node[];
    if (!target || !index || index.type !== "Literal" || typeof index.value !== "number" || (n.arguments as Node[]).length !== 2) return undefined;
    const { inst, path } = memberPath(target);
    if (!inst || !instances.has(inst) || path.length === 0) return undefined;
    const tree = provided(inst, path);
    if (tree?.kind !== "object") return undefined;
    const functions: Record<string, string> = {};
    for (const [k, t] of tree.props) {
      if (t.kind !== "leaf") return undefined;
      functions[k] = leafVar(inst, [...path, k]);
    }
    return { index: index.value, functions };
  };
  /** A provided function's parameter count, when it is a function written out. */
  /** A local the factory of `inst` declares once at its top level and never assigns again: its value (a function declaration itself). */
  const localValue = (inst: string, name: string | undefined): Node | undefined => {
    const body = factories.get(instances.get(inst)!.factory)!.fn.body as Node;
    if (name === undefined || body.type !== "BlockStatement") return undefined;
    const found: Node[] = [];
    for (const st of body.body as Node[]) {
      if (st.type === "FunctionDeclaration" && ident(st.id) === name) found.push(st);
      if (st.type === "VariableDeclaration") for (const d of st.declarations as Node[]) if (ident(d.id) === name && isNode(d.init)) found.push(d.init);
    }
    // (`const` may reach here as `let`: one declaration, never assigned again.)
    let assigned = false;
    walk(body, (n) => {
      if ((n.type === "AssignmentExpression" && ident(n.left) === name) || (n.type === "UpdateExpression" && ident(n.argument) === name)) assigned = true;
    });
    return found.length === 1 && !assigned ? found[0] : undefined;
  };
  /**
   * How many parameters the function `inst` provides at `path` has: a function written there, a local
   * function named there (`{ runTask }`), or one inside a local object literal read on from (`defaults`).
   * Every parameter a dispatcher passes on is a JsVar of the dispatcher's on Espruino.
   */
  const leafArity = (inst: string, path: readonly string[]): number | undefined => {
    let tree: Tree = { kind: "object", props: factories.get(instances.get(inst)!.factory)!.tree };
    let i = 0;
    for (; i < path.length && tree.kind === "object"; i++) {
      const next: Tree | undefined = tree.props.get(path[i]!);
      if (!next) return undefined;
      tree = next;
    }
    if (tree.kind !== "leaf") return undefined;
    let value: Node | undefined = tree.value.type === "Identifier" ? localValue(inst, ident(tree.value)) : tree.value;
    for (; i < path.length && value; i++) {
      const p: Node | undefined = value.type === "ObjectExpression" ? (value.properties as Node[]).find((q) => q.type === "Property" && keyName(q) === path[i]) : undefined;
      value = p ? (p.value as Node) : undefined;
    }
    return value && isFunction(value) ? (value.params as Node[]).length : undefined;
  };
  const ARGS = ["a", "b", "c", "d", "e", "g", "h"];
  /** A function made while starting (bound, fanned out, dispatched), kept in a variable of its own:
   * written inside another function's body, it would be made again on every call. */
  let made = 0;
  const once = (m: { text: string; arity: number | undefined }): { text: string; arity: number | undefined } => {
    if (/^[\w$]+(\.[\w$]+)*$/.test(m.text)) return m;
    const name = `$$f${made++}`;
    declared.push(name);
    bindingLines.push(`${name} = ${m.text};`);
    return { text: name, arity: m.arity };
  };
  /** What `fn` of the glue's expression `expr` is, as the helpers would have made it at start:
   * null when the object has no such function, undefined when the expression is not one known here.
   * `arity` is how many arguments the function reads (undefined: unknown, all seven are passed). */
  type Made = { text: string; arity: number | undefined } | null | undefined;
  const functionOf = (expr: Node, fn: string): Made => {
    // `iK.Iface`: the provided function itself.
    const { inst, path } = memberPath(expr);
    if (inst && instances.has(inst) && path.length > 0) {
      const whole = glueRef(expr);
      if (whole === undefined) return undefined;
      if (!whole.startsWith("{")) return { text: `${whole}.${fn}`, arity: leafArity(inst, [...path, fn]) };
      const ref = glueRef(parseMember(inst, [...path, fn]));
      return ref === undefined ? null : { text: ref, arity: leafArity(inst, [...path, fn]) };
    }
    if (expr.type === "ObjectExpression") {
      const tree = treeOf(expr);
      if (!tree) return undefined;
      const p = (expr.properties as Node[]).find((q) => keyName(q) === fn);
      if (!p) return null;
      const value = p.value as Node;
      if (ident(value) === "noop") return { text: "noop", arity: 0 };
      const text = rewriteGlue(value);
      if (text === undefined) return undefined;
      if (value.type === "MemberExpression") {
        const r = functionOf(value.object as Node, ident(value.property)!);
        if (r) return r;
      }
      return once({ text, arity: isFunction(value) ? (value.params as Node[]).length : undefined });
    }
    if (expr.type !== "CallExpression") return undefined;
    const helper = ident(expr.callee);
    const args = expr.arguments as Node[];
    const params = (arity: number | undefined) => ARGS.slice(0, arity ?? ARGS.length).join(", ");
    if (helper === "bindIndex" && args.length === 2 && args[1]!.type === "Literal") {
      const target = functionOf(args[0]!, fn);
      if (!target) return target;
      return once({ text: `${target.text}.bind(null, ${String(args[1]!.value)})`, arity: target.arity === undefined ? undefined : Math.max(0, target.arity - 1) });
    }
    if (helper === "fanOut" && args.length === 2 && args[0]!.type === "ArrayExpression" && args[1]!.type === "ObjectExpression") {
      const list = (args[0]!.elements as Node[]).map((e) => functionOf(e, fn));
      if (list.some((f) => f === undefined)) return undefined;
      if (list[0] === null) return null; // the helper takes the names from the first object
      const combineProp = (args[1]!.properties as Node[]).find((q) => keyName(q) === fn);
      const combineText = combineProp ? rewriteGlue(combineProp.value as Node) : undefined;
      const combine = combineText === undefined ? undefined : once({ text: combineText, arity: 2 }).text;
      if (combineProp && combine === undefined) return undefined;
      const arities = list.map((f) => f?.arity);
      const arity = arities.some((a) => a === undefined) ? undefined : Math.max(0, ...(arities as number[]));
      const call = (f: Made) => `(${f ? f.text : "void 0"})(${params(arity)})`;
      const steps = list.slice(1).map((f) => (combine ? `x = ${combine}(x, ${call(f)});` : `x = ${call(f)};`));
      return once({ text: `function (${params(arity)}) { var x = ${call(list[0])}; ${steps.join(" ")} return x; }`, arity });
    }
    if (helper === "dispatch" && (args.length === 2 || args.length === 3) && args[0]!.type === "ObjectExpression" && args[1]!.type === "ObjectExpression") {
      if (!(args[1]!.properties as Node[]).some((q) => keyName(q) === fn)) return null;
      const cases: [string, Made][] = [];
      for (const q of args[0]!.properties as Node[]) {
        const key = q.type === "Property" && !q.computed && isNode(q.key) && q.key.type === "Literal" ? Number(q.key.value) : NaN;
        if (!Number.isInteger(key)) return undefined;
        const f = functionOf(q.value as Node, fn);
        if (f === undefined) return undefined;
        if (f !== null) cases.push([String(key), f]);
      }
      const fallback = args[2] ? functionOf(args[2], fn) : null;
      if (fallback === undefined) return undefined;
      const arities = [...cases.map(([, f]) => f!.arity), fallback ? (fallback.arity === undefined ? undefined : fallback.arity - 1) : 0];
      const arity = arities.some((a) => a === undefined) ? undefined : Math.max(0, ...(arities as number[]));
      const p = params(arity);
      const tail = `(${fallback ? fallback.text : "void 0"})(i${p ? `, ${p}` : ""})`;
      const chain = cases.map(([k, f]) => `i === ${k} ? (${f!.text})(${p}) : `).join("");
      return once({ text: `function (i${p ? `, ${p}` : ""}) { return ${chain}${tail}; }`, arity: arity === undefined ? undefined : arity + 1 });
    }
    return undefined;
  };
  /** The functions of a slot an instance's code calls; undefined when it also reads the slot whole. */
  const usedFunctions = (ctx: string, slot: string): string[] | undefined => {
    const f = factories.get(instances.get(ctxOwner.get(ctx)!)!.factory)!;
    if (f.wholeSlots.some((w) => w.slot === slot)) return undefined;
    return [...new Set(f.calls.filter((c) => c.slot === slot).map((c) => c.fn))];
  };

  // What each context slot becomes: a provider's interface (calls go straight to its leaves), an object
  // literal of functions (one variable each), or an object kept in a variable.
  type SlotPlan = { kind: "alias"; inst: string; path: string[] } | { kind: "props"; names: Set<string>; direct?: Map<string, string> } | { kind: "object" };
  const plans = new Map<string, SlotPlan>(); // `ctx.slot`
  const bindingLines: string[] = [];
  for (const [ctx, slots] of bindings) {
    for (const [slot, rhs] of slots) {
      const { inst, path } = memberPath(rhs);
      if (inst && instances.has(inst) && path.length > 0 && glueRef(rhs)?.startsWith("{")) {
        plans.set(`${ctx}.${slot}`, { kind: "alias", inst, path });
        continue;
      }
      // Fan-out, dispatch and bound indexes, resolved now: one function per function the caller calls.
      const used = usedFunctions(ctx, slot);
      const made = used && used.map((fn) => functionOf(rhs, fn));
      if (used && made && made.every((m) => m !== undefined)) {
        // Each is a variable already (or a property of a constant defaults object): callers name it.
        const direct = new Map<string, string>();
        used.forEach((fn, i) => direct.set(fn, made[i] ? made[i]!.text : "void 0"));
        plans.set(`${ctx}.${slot}`, { kind: "props", names: new Set(used), direct });
        continue;
      }
      // An index bound to one provider's interface: each function the caller calls, bound on its own.
      const bound = boundIndex(rhs);
      if (bound) {
        const names = new Set<string>();
        for (const fn of usedFunctions(ctx, slot) ?? Object.keys(bound.functions)) {
          const leaf = bound.functions[fn];
          if (leaf === undefined) continue;
          names.add(fn);
          declared.push(slotVar(ctx, slot, fn));
          bindingLines.push(`${slotVar(ctx, slot, fn)} = ${leaf}.bind(null, ${bound.index});`);
        }
        plans.set(`${ctx}.${slot}`, { kind: "props", names });
        continue;
      }
      if (rhs.type === "ObjectExpression" && treeOf(rhs) && [...treeOf(rhs)!.values()].every((t) => t.kind === "leaf")) {
        const names = new Set<string>();
        for (const p of rhs.properties as Node[]) {
          const k = keyName(p)!;
          const value = p.value as Node;
          // `bindIndex(iK.Iface, n).fn` (a task's post): that one function, bound.
          const one = value.type === "MemberExpression" && !value.computed ? boundIndex(value.object as Node)?.functions[ident(value.property)!] : undefined;
          const index = one !== undefined ? boundIndex(value.object as Node)!.index : undefined;
          const v = one !== undefined ? `${one}.bind(null, ${index})` : rewriteGlue(value);
          if (v === undefined) return bail(`a binding of ${ctx}.${slot} reads what no instance provides`);
          names.add(k);
          declared.push(slotVar(ctx, slot, k));
          bindingLines.push(`${slotVar(ctx, slot, k)} = ${v};`);
        }
        plans.set(`${ctx}.${slot}`, { kind: "props", names });
        continue;
      }
      const v = rewriteGlue(rhs);
      if (v === undefined) return bail(`a binding of ${ctx}.${slot} reads what no instance provides`);
      declared.push(slotVar(ctx, slot));
      bindingLines.push(`${slotVar(ctx, slot)} = ${v};`);
      plans.set(`${ctx}.${slot}`, { kind: "object" });
    }
  }

  /** What `c.Slot.fn` of an instance's code becomes. */
  const callTarget = (ctx: string, slot: string, fn: string): string | undefined => {
    const plan = plans.get(`${ctx}.${slot}`);
    if (!plan) return undefined; // never bound: reading it fails as before, through an undefined variable
    if (plan.kind === "alias") {
      const ref = glueRef(parseMember(plan.inst, [...plan.path, fn]));
      return ref;
    }
    if (plan.kind === "props") return plan.direct?.get(fn) ?? (plan.names.has(fn) ? slotVar(ctx, slot, fn) : "void 0");
    return `${slotVar(ctx, slot)}.${fn}`;
  };
  /** What `c.Slot` read whole becomes. */
  const wholeTarget = (ctx: string, slot: string): string => {
    const plan = plans.get(`${ctx}.${slot}`);
    if (!plan) return "void 0";
    if (plan.kind === "alias") return glueRef(parseMember(plan.inst, plan.path))!;
    if (plan.kind === "props") return `{ ${[...plan.names].map((k) => `${k}: ${plan.direct?.get(k) ?? slotVar(ctx, slot, k)}`).join(", ")} }`;
    return slotVar(ctx, slot);
  };

  // Each instance: its factory's body, run in place, its provided functions kept in variables.
  const bodies: string[] = [];
  for (const inst of instances.values()) {
    const f = factories.get(inst.factory)!;
    const edits: Edit[] = [];
    for (const c of f.calls) {
      let target = inst.ctx ? callTarget(inst.ctx, c.slot, c.fn) : undefined;
      if (target === undefined) target = "void 0";
      edits.push({ start: c.node.start, end: c.node.end, text: `(${target})` });
    }
    for (const w of f.wholeSlots) edits.push({ start: w.node.start, end: w.node.end, text: inst.ctx ? `(${wholeTarget(inst.ctx, w.slot)})` : "void 0" });
    const assigns: string[] = [];
    let renamed = (name: string) => name;
    const collect = (tree: Map<string, Tree>, path: string[]) => {
      for (const [k, t] of tree) {
        if (t.kind === "object") collect(t.props, [...path, k]);
        else {
          // A shorthand `{ runNextTask }` provides the local itself (renamed or not), not the property.
          const text = t.value.type === "Identifier" ? renamed(String(t.value.name)) : applyEdits(code, edits, t.value.start, t.value.end);
          const name = leafVar(inst.name, [...path, k]);
          const v = t.value.type;
          leafAssignments.set(name, {
            text: `${name} = ${t.method ? `function ${text}` : text};`,
            pure: isFunction(t.value) || v === "Identifier" || v === "Literal",
            value: isFunction(t.value) ? `${t.method ? "function " : ""}${text}` : undefined,
          });
          assigns.push(`\u0000${name}\u0000`);
        }
      }
    };
    collect(f.tree, []);
    // The context is gone, and so is a parameter the body never reads (a board's host): fewer locals kept.
    const body = f.fn.body as Node;
    const read = referencedNames(body);
    const callArgs = inst.call.arguments as Node[];
    const params: string[] = [];
    const args: string[] = [];
    (f.fn.params as Node[]).forEach((p, i) => {
      const name = String(p.name);
      const arg = callArgs[i];
      if ((i === 0 && f.ctx !== undefined) || (!read.has(name) && (!arg || arg.type === "Literal"))) return;
      params.push(name);
      args.push(arg ? code.slice(arg.start, arg.end) : "void 0");
    });
    const text = () => {
      const first = f.before.map((e) => `${applyEdits(code, edits, e.start, e.end)};`);
      const result = [...first, ...assigns].join(" ");
      if (f.returnStatement) return applyEdits(code, [...edits, { start: f.returnStatement.start, end: f.returnStatement.end, text: result }], body.start + 1, body.end - 1);
      return result;
    };
    // Its locals renamed for this instance, the body runs in the factory's scope, as the rest of the glue:
    // no scope of its own, and each function it defines is one scope less deep (see below).
    const own = functionNames(f.fn);
    if (f.ctx !== undefined) own.delete(f.ctx);
    // A parameter given a number, string or boolean and never assigned: that value in its place, which the
    // minifier folds (`size || 1`), and one local fewer in the image's scope (a JsVar each on Espruino).
    const assigned = new Set<string>();
    walk(body, (n) => {
      const target = n.type === "AssignmentExpression" ? n.left : n.type === "UpdateExpression" ? n.argument : undefined;
      if (ident(target) !== undefined) assigned.add(ident(target)!);
    });
    const literals = new Map<string, string>();
    params.forEach((p, i) => {
      const arg = callArgs[(f.fn.params as Node[]).findIndex((q) => String(q.name) === p)];
      if (arg?.type === "Literal" && ["number", "string", "boolean"].includes(typeof arg.value) && !assigned.has(p)) literals.set(p, `(${args[i]})`);
    });
    const local = (name: string) => literals.get(name) ?? `$$L${instanceIndex.get(inst.name)}_${name}`;
    const renames = renameLocals(f.fn, own, local);
    if (renames) {
      edits.push(...renames);
      renamed = (name) => (own.has(name) ? local(name) : name);
      assigns.length = 0;
      collect(f.tree, []);
      const lets = params.filter((p) => !literals.has(p)).map((p) => `${local(p)} = ${args[params.indexOf(p)]}`);
      bodies.push(`${lets.length ? `let ${lets.join(", ")};\n` : ""}${text()}`);
    } else {
      bodies.push(`((${params.join(", ")}) => {\n${text()}\n})(${args.join(", ")});`);
      // Its functions read its own names, not renamed apart: alike texts need not behave alike.
      for (const a of assigns) unrenamed.add(a.slice(1, -1));
    }
  }
  const tail: string[] = [];
  for (const e of rest) {
    const v = rewriteGlue(e);
    if (v === undefined) return bail("the boot call reads what no instance provides");
    tail.push(`${v};`);
  }

  const edits: Edit[] = [];
  // The factories leave the top level.
  const byDeclaration = new Map<Node, Node[]>();
  for (const f of factories.values()) byDeclaration.set(f.declaration, [...(byDeclaration.get(f.declaration) ?? []), f.declarator]);
  for (const [decl, gone] of byDeclaration) {
    const kept = (decl.declarations as Node[]).filter((d) => !gone.includes(d));
    const text = kept.length ? `${String(decl.kind)} ${kept.map((d) => code.slice(d.start, d.end)).join(", ")};` : "";
    edits.push({ start: decl.start, end: decl.end, text });
  }
  // A provided function nothing refers to once flattened (pruning kept it for a call through another
  // module's interface of the same function name) is left out, which can leave out others in turn.
  const kept = new Set(leafAssignments.keys());
  // A provided function that only hands its arguments on to another (`(a, b) => $$3_Send_send(a, b)`):
  // its callers call that one instead, one hop less, one function object fewer.
  const aliases = new Map<string, string>();
  for (const [name, leaf] of leafAssignments) {
    const target = leaf.value === undefined ? undefined : forwardsAll(leaf.value);
    if (target !== undefined && target !== name) aliases.set(name, target);
  }
  // Provided functions written alike but for their parameters' names (`(msg) => msg`, `() => {}`,
  // `(m) => m.bytes[LENGTH]`): one of them serves every caller, one function object for all.
  const firstAlike = new Map<string, string>();
  for (const [name, leaf] of leafAssignments) {
    const key = leaf.value === undefined || aliases.has(name) || unrenamed.has(name) ? undefined : canonicalFunction(leaf.value);
    if (key === undefined) continue;
    const first = firstAlike.get(key);
    if (first === undefined) firstAlike.set(key, name);
    else aliases.set(name, first);
  }
  const resolveAlias = (name: string): string => {
    let at = name;
    for (let hops = 0; aliases.has(at) && hops < 64; hops++) at = aliases.get(at)!;
    return at;
  };
  for (const name of aliases.keys()) if (resolveAlias(name) !== name && !aliases.has(resolveAlias(name))) kept.delete(name);
  const aliasPattern = aliases.size ? new RegExp(`(?<![\\w$])(?:${[...aliases.keys()].filter((n) => !kept.has(n)).map((n) => n.replace(/\$/g, "\\$")).join("|")})(?![\\w$])`, "g") : undefined;
  const joined = [...bodies, ...bindingLines, ...tail].join("\n");
  const expand = () => {
    const text = joined.replace(/\u0000([^\u0000]*)\u0000/g, (_, name: string) => (kept.has(name) ? leafAssignments.get(name)!.text : ""));
    return aliasPattern && [...aliases.keys()].some((n) => !kept.has(n)) ? text.replace(aliasPattern, (n) => resolveAlias(n)) : text;
  };
  for (let changed = true; changed; ) {
    changed = false;
    const text = expand();
    for (const name of [...kept]) {
      if (!leafAssignments.get(name)!.pure) continue;
      const uses = text.match(new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g"))?.length ?? 0;
      if (uses <= 1) {
        kept.delete(name);
        changed = true;
      }
    }
  }
  const uniqueDeclared = [...new Set([...declared, ...kept])];
  if (uniqueDeclared.length === 0) return bail("nothing to flatten");
  const newBody = callBoundDirectly([`var ${uniqueDeclared.join(", ")};`, expand()].join("\n"));
  // The image calls the factory once, where it ends (`mote();`): its body goes there, so that every function
  // is defined one scope less deep. On Espruino a function defined two or more function scopes deep copies
  // its chain of scopes (jsparse.c, jspeiGetScopesAsVar): one JsVar for the array and one per scope.
  const glueDecl = glue;
  const topLevel = (ast.body as Node[]).flatMap((st) => (st.type === "ExpressionStatement" ? [st.expression as Node] : []))
    .map((e) => (e.type === "CallExpression" && isFunction(e.callee as Node) ? ((e.callee as Node).body as Node) : undefined))
    .flatMap((b) => (b && b.type === "BlockStatement" ? (b.body as Node[]) : []));
  const startCall = topLevel.at(-1);
  const startsOnce =
    startCall?.type === "ExpressionStatement" && (startCall.expression as Node).type === "CallExpression" &&
    ident((startCall.expression as Node).callee) === "mote" && ((startCall.expression as Node).arguments as Node[]).length === 0 &&
    topLevel.includes(glueDecl) && !/(?<![\w$])host(?![\w$])/.test(newBody);
  let moteReferences = 0;
  walk(ast, (n) => {
    if (n.type === "Identifier" && n.name === "mote") moteReferences++;
  });
  if (startsOnce && moteReferences === 2) {
    edits.push({ start: glueDecl.start, end: glueDecl.end, text: "" });
    edits.push({ start: startCall.start, end: startCall.end, text: newBody });
  } else edits.push({ start: moteBody.start + 1, end: moteBody.end - 1, text: `\n${newBody}\n` });
  // The glue's helpers nothing calls any more leave too (a helper another kept one calls stays).
  const helpers = topLevel.filter((st) => st.type === "FunctionDeclaration" && GLUE_HELPERS.has(ident(st.id) ?? ""));
  const removed = new Set<Node>();
  for (let changed = true; changed; ) {
    changed = false;
    const outside = applyAll(code, [...edits, ...[...removed, ...helpers].map((h) => ({ start: h.start, end: h.end, text: "" }))]);
    for (const h of helpers) {
      if (removed.has(h)) continue;
      const name = ident(h.id)!;
      const others = helpers.filter((o) => o !== h && !removed.has(o)).map((o) => code.slice(o.start, o.end)).join("\n");
      if (!new RegExp(`\\b${name}\\b`).test(`${outside}\n${others}`)) {
        removed.add(h);
        changed = true;
      }
    }
  }
  for (const h of removed) edits.push({ start: h.start, end: h.end, text: "" });
  return { code: applyAll(code, edits), instances: instances.size };
}

/** A member expression node `inst.a.b` for glueRef (only its shape is read). */
function parseMember(inst: string, path: readonly string[]): Node {
  let n: Node = { type: "Identifier", name: inst, start: 0, end: 0 };
  for (const p of path) n = { type: "MemberExpression", object: n, property: { type: "Identifier", name: p, start: 0, end: 0 }, computed: false, start: 0, end: 0 };
  return n;
}
