/**
 * The JavaScript Espruino runs (see /work/shared/espruino-dialect.md, measured
 * on Espruino 2v29), checked on the bundled image.
 *
 * The build lowers what esbuild can lower (platform.ts sets `supported`),
 * and esbuild itself refuses, with the file and line, what it cannot lower
 * (destructuring, default and rest parameters, spread in arrays and calls,
 * generators, async functions). This check refuses the rest, on the parsed
 * image, and names the TypeScript source of each finding through the
 * image's source map:
 *
 * - generators and async functions (a backstop: esbuild refuses them first),
 * - labelled statements,
 * - a reference to a function declared later in the same scope (Espruino
 *   does not hoist function declarations; `var` hoisting works),
 * - `class X extends (expression)` (only a plain name may follow `extends`),
 * - BigInt literals, private class members, class static blocks,
 * - `let`/`const` loop variables captured by a closure (Espruino keeps one
 *   binding for the whole loop, so every closure sees the last value), and
 *   likewise `let`/`const` declared in a loop's body (see `inLoopBody`),
 * - optional chaining, `**`, computed keys, spread, rest, defaults and
 *   destructuring, in case they reach the image some other way,
 * - the built-ins Espruino lacks: `Map`, `Set`, `WeakMap`, `WeakSet`,
 *   `WeakRef`, `Symbol`, `Proxy`, `Reflect`, `BigInt`, `setImmediate`,
 *   `queueMicrotask`, `Array.from`, `Math.imul`, `Math.clz32`, `Math.trunc`,
 *   `Number.isInteger`, `Object.freeze`, `Object.isFrozen`,
 *   `process.nextTick`. (`globalThis` and `global` exist on 2v29.)
 *
 * Names are resolved through the image's scopes, so a local variable that
 * happens to be called `Map` is not a finding.
 */
import { parse } from "acorn";
import type { Diagnostic, SourceLocation } from "../../tools/build/diagnostics.ts";

export interface DialectFinding {
  /** What Espruino cannot run, e.g. "labelled statement". */
  readonly construct: string;
  /** Why, or what to write instead. */
  readonly advice: string;
  /** 1-based line and column in the checked text. */
  readonly line: number;
  readonly column: number;
  readonly start: number;
}

interface Node {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && typeof (v as Node).type === "string";

/** Globals Espruino 2v29 does not have. */
export const MISSING_GLOBALS: Readonly<Record<string, string>> = {
  Map: "use an object with string keys, or arrays sized at build time",
  Set: "use an object with string keys, or a Uint8Array of flags",
  WeakMap: "keep the value in the object itself",
  WeakSet: "keep a flag in the object itself",
  WeakRef: "keep a plain reference",
  FinalizationRegistry: "free resources explicitly",
  Symbol: "use a string key",
  Proxy: "call the target directly",
  Reflect: "call the function or use Object.* directly",
  BigInt: "use numbers (two 32-bit halves if need be)",
  setImmediate: "post a task (or setTimeout(fn, 0))",
  queueMicrotask: "post a task (or setTimeout(fn, 0))",
  structuredClone: "copy the fields you need",
};

/** Static members Espruino 2v29 does not have, by object. */
export const MISSING_MEMBERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Array: { from: "use a loop (or new Array(n).fill(x))" },
  Math: {
    imul: "use ((a * (b >>> 16) << 16) + a * (b & 0xffff)) | 0",
    clz32: "count with a loop or a lookup table",
    trunc: "use x | 0 (32-bit) or x < 0 ? Math.ceil(x) : Math.floor(x)",
  },
  Number: { isInteger: "use (x | 0) === x, or Math.floor(x) === x" },
  Object: { freeze: "leave the object unfrozen", isFrozen: "track it yourself" },
  process: { nextTick: "post a task (or setTimeout(fn, 0))" },
};

type BindingKind = "var" | "let" | "const" | "function" | "class" | "param" | "catch";

interface Binding {
  readonly kind: BindingKind;
  /** Where the declaration starts (for the hoisting rule). */
  readonly start: number;
  /** The loop a `let`/`const` loop variable (or one declared in the loop's body) belongs to. */
  readonly loop?: Node;
  /** Declared in the loop's body rather than its head. */
  readonly inLoopBody?: boolean;
}

class Scope {
  readonly bindings = new Map<string, Binding>();
  constructor(
    readonly parent: Scope | undefined,
    /** The function (or program) whose code runs this scope's statements directly. */
    readonly owner: Node,
  ) {}
  lookup(name: string): { binding: Binding; scope: Scope } | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return { binding: b, scope: s };
    }
    return undefined;
  }
}

const isFunctionNode = (n: Node) =>
  n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";

/** Names bound by a pattern (`a`, `{ a, b: [c] }`, `...d`, `e = 1`). */
function patternNames(p: unknown, out: string[] = []): string[] {
  if (!isNode(p)) return out;
  switch (p.type) {
    case "Identifier":
      out.push(String(p.name));
      break;
    case "ObjectPattern":
      for (const prop of p.properties as Node[]) patternNames(prop.type === "RestElement" ? prop.argument : prop.value, out);
      break;
    case "ArrayPattern":
      for (const el of p.elements as unknown[]) patternNames(el, out);
      break;
    case "RestElement":
      patternNames(p.argument, out);
      break;
    case "AssignmentPattern":
      patternNames(p.left, out);
      break;
  }
  return out;
}

/** `var` declarations of a function body, not looking into nested functions. */
function collectVars(n: unknown, out: { name: string; start: number }[]): void {
  if (!isNode(n)) return;
  if (isFunctionNode(n) || n.type === "ClassDeclaration" || n.type === "ClassExpression") return;
  if (n.type === "VariableDeclaration" && n.kind === "var") {
    for (const d of n.declarations as Node[]) for (const name of patternNames(d.id)) out.push({ name, start: d.start });
  }
  for (const key in n) {
    if (key === "type" || key === "start" || key === "end" || key === "loc") continue;
    const v = n[key];
    if (Array.isArray(v)) for (const item of v) collectVars(item, out);
    else if (isNode(v)) collectVars(v, out);
  }
}

/** Declares a block's own `let`, `const`, `class` and function declarations; `loop`: the block is (in) that loop's body. */
function declareLexical(statements: readonly Node[], scope: Scope, loop?: Node): void {
  for (const s of statements) {
    if (s.type === "VariableDeclaration" && s.kind !== "var") {
      for (const d of s.declarations as Node[]) {
        for (const name of patternNames(d.id)) {
          scope.bindings.set(name, loop ? { kind: s.kind as BindingKind, start: d.start, loop, inLoopBody: true } : { kind: s.kind as BindingKind, start: d.start });
        }
      }
    } else if (s.type === "ClassDeclaration" && isNode(s.id)) {
      scope.bindings.set(String(s.id.name), { kind: "class", start: s.start });
    } else if (s.type === "FunctionDeclaration" && isNode(s.id)) {
      scope.bindings.set(String(s.id.name), { kind: "function", start: s.start });
    }
  }
}

/** Parses `code` (a script) and lists every construct Espruino cannot run. */
export function findDialectViolations(code: string): DialectFinding[] {
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script", locations: true }) as unknown as Node;
  const findings: DialectFinding[] = [];
  const report = (node: Node, construct: string, advice: string) => {
    const loc = node.loc?.start ?? { line: 1, column: 0 };
    findings.push({ construct, advice, line: loc.line, column: loc.column + 1, start: node.start });
  };

  /** Functions called right where they are defined (`(() => {...})()`): their bodies run in place. */
  const immediatelyCalled = new Set<Node>();
  /** The code a function was defined in (the function or program running it). */
  const definedIn = new Map<Node, Node>();
  /** Whether code running in `executing` is running `owner`'s code right now (through immediately called functions). */
  const runsIn = (owner: Node, executing: Node): boolean => {
    for (let e: Node | undefined = executing; e; e = immediatelyCalled.has(e) ? definedIn.get(e) : undefined) {
      if (e === owner) return true;
    }
    return false;
  };

  const functionScope = (fn: Node, parent: Scope): Scope => {
    const scope = new Scope(parent, fn);
    for (const p of fn.params as Node[]) for (const name of patternNames(p)) scope.bindings.set(name, { kind: "param", start: p.start });
    const body = fn.body as Node;
    if (body.type === "BlockStatement") {
      const vars: { name: string; start: number }[] = [];
      collectVars(body, vars);
      for (const v of vars) if (!scope.bindings.has(v.name)) scope.bindings.set(v.name, { kind: "var", start: v.start });
      declareLexical(body.body as Node[], scope);
    }
    if (fn.type === "FunctionExpression" && isNode(fn.id) && !scope.bindings.has(String(fn.id.name))) {
      scope.bindings.set(String(fn.id.name), { kind: "function", start: fn.start });
    }
    return scope;
  };

  /** Where an identifier is read or written: checks the hoisting rule, loop captures and missing globals. */
  const reference = (id: Node, scope: Scope, executing: Node) => {
    const name = String(id.name);
    const found = scope.lookup(name);
    if (!found) {
      const advice = MISSING_GLOBALS[name];
      if (advice !== undefined) report(id, `\`${name}' (Espruino has no ${name})`, advice);
      return;
    }
    const { binding, scope: where } = found;
    if (binding.kind === "function" && id.start < binding.start && runsIn(where.owner, executing)) {
      report(
        id,
        `\`${name}' used before its function declaration`,
        "Espruino does not hoist function declarations: declare the function before the code that uses it runs",
      );
    }
    if (binding.loop && !runsIn(where.owner, executing)) {
      if (binding.inLoopBody) {
        report(
          id,
          `\`${name}', declared in a loop's body, captured by a closure`,
          "Espruino may keep one binding of it for all iterations, as it does for a for (let…) variable (every closure would see the last value): pass it to a function as a parameter",
        );
      } else {
        report(
          id,
          `loop variable \`${name}' captured by a closure`,
          "Espruino keeps one binding for the whole loop (every closure sees the last value): copy it into a function parameter",
        );
      }
    }
  };

  const visitPattern = (p: unknown, scope: Scope, executing: Node, assigning: boolean) => {
    if (!isNode(p)) return;
    switch (p.type) {
      case "Identifier":
        if (assigning) reference(p, scope, executing);
        return;
      case "ObjectPattern":
        report(p, "destructuring", "read the properties one by one");
        for (const prop of p.properties as Node[]) {
          if (prop.type === "RestElement") visitPattern(prop.argument, scope, executing, assigning);
          else {
            if (prop.computed) visit(prop.key as Node, scope, executing);
            visitPattern(prop.value, scope, executing, assigning);
          }
        }
        return;
      case "ArrayPattern":
        report(p, "destructuring", "read the elements one by one");
        for (const el of p.elements as unknown[]) visitPattern(el, scope, executing, assigning);
        return;
      case "RestElement":
        report(p, "rest element", "pass an array");
        visitPattern(p.argument, scope, executing, assigning);
        return;
      case "AssignmentPattern":
        report(p, "default value", "test for undefined in the body");
        visitPattern(p.left, scope, executing, assigning);
        visit(p.right as Node, scope, executing);
        return;
      default:
        visit(p, scope, executing); // a member expression as an assignment target
    }
  };

  /**
   * The loop whose body is being visited, in the current function. espruino-dialect.md measured
   * that a `for (let i…)` variable is one binding for the whole loop; per-iteration bindings of
   * `let`/`const` declared in a loop's body rest on the same ECMAScript machinery (a fresh
   * environment each time the block runs), which Espruino's single-binding behaviour makes
   * doubtful and which was not measured. So a closure capturing one is refused too: the safe
   * side, and the fix (a function parameter) costs nothing.
   */
  let loopBody: Node | undefined;
  const visitLoopBody = (loop: Node, body: Node, scope: Scope, executing: Node) => {
    const outer = loopBody;
    loopBody = loop;
    visit(body, scope, executing);
    loopBody = outer;
  };

  const visitFunction = (fn: Node, scope: Scope, outer: Node) => {
    const outerLoop = loopBody;
    loopBody = undefined; // a function's body runs when it is called, not once per iteration of a loop around it
    try {
      visitFunctionBody(fn, scope, outer);
    } finally {
      loopBody = outerLoop;
    }
  };

  const visitFunctionBody = (fn: Node, scope: Scope, outer: Node) => {
    definedIn.set(fn, outer);
    if (fn.generator) report(fn, "generator function", "write an explicit state machine");
    if (fn.async) report(fn, "async function", "use callbacks or split-phase events");
    const inner = functionScope(fn, scope);
    for (const p of fn.params as Node[]) visitPattern(p, inner, fn, false);
    const body = fn.body as Node;
    if (body.type === "BlockStatement") visitStatements(body.body as Node[], inner, fn);
    else visit(body, inner, fn);
  };

  const visitStatements = (statements: readonly Node[], scope: Scope, executing: Node) => {
    for (const s of statements) visit(s, scope, executing);
  };

  const visitClass = (cls: Node, scope: Scope, executing: Node) => {
    const superClass = cls.superClass;
    if (isNode(superClass)) {
      if (superClass.type !== "Identifier") report(superClass, "`class ... extends (expression)'", "extend a class by its name");
      visit(superClass, scope, executing);
    }
    for (const member of (cls.body as Node).body as Node[]) {
      if (member.type === "StaticBlock") {
        report(member, "class static block", "initialize after the class");
        visitStatements(member.body as Node[], new Scope(scope, executing), executing);
        continue;
      }
      if (isNode(member.key) && member.key.type === "PrivateIdentifier") report(member.key, "private class member", "use a plain property");
      if (member.computed) {
        report(member, "computed member name", "use a plain name");
        visit(member.key as Node, scope, executing);
      }
      if (isNode(member.value)) {
        if (isFunctionNode(member.value)) visitFunction(member.value, scope, executing);
        else visit(member.value, new Scope(scope, member), member); // a field initializer runs at construction
      }
    }
  };

  function visit(n: Node, scope: Scope, executing: Node): void {
    switch (n.type) {
      case "Identifier":
        reference(n, scope, executing);
        return;
      case "PrivateIdentifier":
        report(n, "private class member", "use a plain property");
        return;
      case "Literal":
        if (typeof n.bigint === "string") report(n, "BigInt literal", "use numbers");
        return;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        visitFunction(n, scope, executing);
        return;
      case "ClassDeclaration":
      case "ClassExpression": {
        let s = scope;
        if (n.type === "ClassExpression" && isNode(n.id)) {
          s = new Scope(scope, executing);
          s.bindings.set(String(n.id.name), { kind: "class", start: n.start });
        }
        visitClass(n, s, executing);
        return;
      }
      case "BlockStatement": {
        const inner = new Scope(scope, executing);
        declareLexical(n.body as Node[], inner, loopBody);
        visitStatements(n.body as Node[], inner, executing);
        return;
      }
      case "StaticBlock":
        return;
      case "VariableDeclaration":
        for (const d of n.declarations as Node[]) {
          visitPattern(d.id, scope, executing, false);
          if (isNode(d.init)) visit(d.init, scope, executing);
        }
        return;
      case "LabeledStatement":
        report(n, `labelled statement \`${String((n.label as Node).name)}:'`, "use a flag or a function with return");
        visit(n.body as Node, scope, executing);
        return;
      case "BreakStatement":
      case "ContinueStatement":
        return;
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement": {
        const head = n.type === "ForStatement" ? n.init : n.left;
        let inner = scope;
        if (isNode(head) && head.type === "VariableDeclaration" && head.kind !== "var") {
          inner = new Scope(scope, executing);
          for (const d of head.declarations as Node[]) {
            for (const name of patternNames(d.id)) inner.bindings.set(name, { kind: head.kind as BindingKind, start: d.start, loop: n });
          }
        }
        if (n.type === "ForStatement") {
          if (isNode(n.init)) visit(n.init, inner, executing);
          if (isNode(n.test)) visit(n.test, inner, executing);
          if (isNode(n.update)) visit(n.update, inner, executing);
        } else {
          if (n.type === "ForOfStatement" && n.await) report(n, "for await", "use callbacks");
          if (isNode(n.left)) {
            if (n.left.type === "VariableDeclaration") visit(n.left, inner, executing);
            else visitPattern(n.left, inner, executing, true);
          }
          visit(n.right as Node, scope, executing);
        }
        visitLoopBody(n, n.body as Node, inner, executing);
        return;
      }
      case "WhileStatement":
      case "DoWhileStatement":
        visit(n.test as Node, scope, executing);
        visitLoopBody(n, n.body as Node, scope, executing);
        return;
      case "CatchClause": {
        const inner = new Scope(scope, executing);
        for (const name of patternNames(n.param)) inner.bindings.set(name, { kind: "catch", start: n.start });
        if (isNode(n.param)) visitPattern(n.param, inner, executing, false);
        visit(n.body as Node, inner, executing);
        return;
      }
      case "MemberExpression": {
        const object = n.object as Node;
        const property = n.property as Node;
        if (!n.computed && object.type === "Identifier" && property.type === "Identifier" && !scope.lookup(String(object.name))) {
          const advice = MISSING_MEMBERS[String(object.name)]?.[String(property.name)];
          if (advice !== undefined) report(n, `\`${String(object.name)}.${String(property.name)}' (missing on Espruino)`, advice);
        }
        if (n.optional) report(n, "optional chaining (?.)", "test for undefined explicitly");
        visit(object, scope, executing);
        if (n.computed) visit(property, scope, executing);
        return;
      }
      case "ChainExpression":
        visit(n.expression as Node, scope, executing);
        return;
      case "CallExpression":
      case "NewExpression": {
        if (n.optional) report(n, "optional call (?.())", "test for undefined explicitly");
        let callee = n.callee as Node;
        while (callee.type === "ParenthesizedExpression") callee = callee.expression as Node;
        if (n.type === "CallExpression" && (callee.type === "FunctionExpression" || callee.type === "ArrowFunctionExpression")) {
          immediatelyCalled.add(callee);
        }
        visit(n.callee as Node, scope, executing);
        for (const a of n.arguments as Node[]) visit(a, scope, executing);
        return;
      }
      case "SpreadElement":
        report(n, "spread (...)", "pass the elements explicitly, or use apply/concat");
        visit(n.argument as Node, scope, executing);
        return;
      case "Property":
        if (n.computed) {
          report(n, "computed key ({ [k]: v })", "create the object, then assign obj[k] = v");
          visit(n.key as Node, scope, executing);
        }
        if (isNode(n.value)) visit(n.value, scope, executing);
        return;
      case "BinaryExpression":
        if (n.operator === "**") report(n, "exponent operator (**)", "use Math.pow");
        visit(n.left as Node, scope, executing);
        visit(n.right as Node, scope, executing);
        return;
      case "AssignmentExpression":
        if (n.operator === "**=") report(n, "exponent assignment (**=)", "use Math.pow");
        if (n.operator === "||=" || n.operator === "&&=" || n.operator === "??=") {
          report(n, `logical assignment (${String(n.operator)})`, "write it out: a || (a = b)");
        }
        visitPattern(n.left, scope, executing, true);
        visit(n.right as Node, scope, executing);
        return;
      case "YieldExpression":
      case "AwaitExpression":
        if (isNode(n.argument)) visit(n.argument, scope, executing);
        return;
      case "MetaProperty":
      case "ImportExpression":
        report(n, n.type === "MetaProperty" ? "new.target / import.meta" : "dynamic import()", "not available on Espruino");
        return;
      case "TaggedTemplateExpression":
        report(n, "tagged template", "call the function with a string");
        visit(n.tag as Node, scope, executing);
        visit(n.quasi as Node, scope, executing);
        return;
      default:
        for (const key in n) {
          if (key === "type" || key === "start" || key === "end" || key === "loc") continue;
          const v = n[key];
          if (Array.isArray(v)) {
            for (const item of v) if (isNode(item)) visit(item, scope, executing);
          } else if (isNode(v)) visit(v, scope, executing);
        }
    }
  }

  const program = new Scope(undefined, ast);
  const vars: { name: string; start: number }[] = [];
  collectVars(ast, vars);
  for (const v of vars) if (!program.bindings.has(v.name)) program.bindings.set(v.name, { kind: "var", start: v.start });
  declareLexical(ast.body as Node[], program);
  visitStatements(ast.body as Node[], program, ast);
  // One finding per construct and place (a pattern and its parent may both report).
  const seen = new Set<string>();
  return findings
    .sort((a, b) => a.start - b.start)
    .filter((f) => {
      const key = `${f.start}:${f.construct}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** The findings as build diagnostics, located in the TypeScript sources where the map knows. */
export function dialectDiagnostics(
  code: string,
  locate: ((line: number, column: number) => SourceLocation | undefined) | undefined,
  what = "the image",
): Diagnostic[] {
  return findDialectViolations(code).map((f) => {
    const location = locate?.(f.line, f.column);
    return {
      severity: "error" as const,
      message: `${f.construct} does not run on Espruino: ${f.advice}${location ? "" : ` (${what}, line ${f.line}, column ${f.column})`}`,
      location,
    };
  });
}
