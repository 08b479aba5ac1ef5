/**
 * The `espruino` dialect: every application builds into an image that uses
 * only what Espruino 2v29 runs (checked here with acorn, independently of
 * platforms/espruino/dialect.ts), and what Espruino cannot run or hold is
 * refused at build time, naming the TypeScript file and line.
 */
import { parse } from "acorn";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, ROOT, type BuildReport } from "../tools/build/build.ts";
import { BuildError, type Diagnostic } from "../tools/build/diagnostics.ts";
import { findDialectViolations } from "../platforms/espruino/dialect.ts";
import { estimateJsVars } from "../platforms/espruino/jsvars.ts";
import { ESPRUINO_BOARDS } from "../platforms/espruino/boards.ts";

const FIXTURES = path.join(ROOT, "test", "fixtures", "espruino");

function buildFor(entry: string, board?: string): Promise<BuildReport> {
  return build({ entry: path.resolve(ROOT, entry), platform: "espruino", board, write: false, typecheck: false });
}

async function refusal(entry: string, board?: string): Promise<readonly Diagnostic[]> {
  try {
    await buildFor(entry, board);
  } catch (e) {
    if (e instanceof BuildError) return e.diagnostics.filter((d) => d.severity === "error");
    throw e;
  }
  throw new Error(`${entry} built for espruino, but it should have been refused`);
}

interface Node {
  type: string;
  [key: string]: unknown;
}
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && typeof (v as Node).type === "string";

/** The "fails" rows of espruino-dialect.md, found in an image by walking its syntax tree. */
function failingConstructs(image: string): string[] {
  const found: string[] = [];
  const missingGlobals = new Set(["Map", "Set", "Symbol", "WeakMap", "setImmediate"]);
  const missingMembers = new Set(["Array.from", "Math.imul", "Math.clz32", "Math.trunc", "Number.isInteger", "Object.freeze", "Object.isFrozen", "process.nextTick"]);
  const walk = (n: Node, parent: Node | undefined, key: string) => {
    switch (n.type) {
      case "ObjectPattern":
      case "ArrayPattern":
        found.push("destructuring");
        break;
      case "SpreadElement":
        found.push("spread");
        break;
      case "RestElement":
        found.push("rest");
        break;
      case "AssignmentPattern":
        found.push("default parameter");
        break;
      case "ChainExpression":
        found.push("optional chaining");
        break;
      case "LabeledStatement":
        found.push("label");
        break;
      case "BinaryExpression":
      case "AssignmentExpression":
        if (n.operator === "**" || n.operator === "**=") found.push("**");
        break;
      case "Property":
      case "MethodDefinition":
        if (n.computed) found.push("computed key");
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        if (n.async) found.push("async");
        if (n.generator) found.push("generator");
        break;
      case "ClassDeclaration":
      case "ClassExpression":
        if (isNode(n.superClass) && n.superClass.type !== "Identifier") found.push("extends (expression)");
        break;
      case "Literal":
        if (n.bigint !== undefined) found.push("BigInt");
        break;
      case "Identifier": {
        const isKey = parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) || (parent.type === "Property" && key === "key"));
        if (!isKey && missingGlobals.has(String(n.name))) found.push(String(n.name));
        break;
      }
      case "MemberExpression": {
        const o = n.object as Node;
        const p = n.property as Node;
        if (!n.computed && o.type === "Identifier" && p.type === "Identifier" && missingMembers.has(`${String(o.name)}.${String(p.name)}`)) {
          found.push(`${String(o.name)}.${String(p.name)}`);
        }
        break;
      }
    }
    for (const k in n) {
      const v = n[k];
      if (Array.isArray(v)) for (const item of v) isNode(item) && walk(item, n, k);
      else if (isNode(v)) walk(v, n, k);
    }
  };
  const program = parse(image, { ecmaVersion: "latest", sourceType: "script" }) as unknown as Node;
  walk(program, undefined, "");
  found.push(...usedBeforeDeclaration(program), ...capturedLoopBindings(program));
  return found;
}

const isFunction = (n: Node) => n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";

/** Every node under `n`, with its parent, in source order. */
function eachNode(n: Node, visit: (node: Node, parent: Node | undefined) => boolean | void, parent?: Node): void {
  if (visit(n, parent) === false) return;
  for (const k in n) {
    const v = n[k];
    if (Array.isArray(v)) for (const item of v) isNode(item) && eachNode(item, visit, n);
    else if (isNode(v)) eachNode(v, visit, n);
  }
}

/** Names a function binds itself (parameters, and var/let/const/function declarations of its body, not of nested functions). */
function ownNames(fn: Node): Set<string> {
  const names = new Set<string>();
  const bind = (p: unknown) =>
    isNode(p) &&
    eachNode(p, (x, parent) => {
      if (x.type === "Identifier" && !(parent?.type === "Property" && parent.key === x && parent.value !== x)) names.add(String(x.name));
      if (x.type === "AssignmentPattern") {
        bind(x.left);
        return false;
      }
    });
  for (const p of fn.params as Node[]) bind(p);
  if (isNode(fn.body)) {
    eachNode(fn.body, (x) => {
      if (x !== fn.body && isFunction(x)) {
        if (x.type === "FunctionDeclaration" && isNode(x.id)) names.add(String(x.id.name));
        return false;
      }
      if (x.type === "VariableDeclarator") bind(x.id);
    });
  }
  return names;
}

/**
 * "Calling a function declared later in the same scope fails": in each
 * statement list, a function declaration's name used by a statement before
 * it, in code that runs right there (not inside a function, unless that
 * function is called on the spot), and not rebound on the way.
 */
function usedBeforeDeclaration(program: Node): string[] {
  const found: string[] = [];
  const usesNow = (n: Node, name: string): boolean => {
    let used = false;
    eachNode(n, (x, parent) => {
      if (used) return false;
      if (isFunction(x)) {
        const calledHere = parent?.type === "CallExpression" && parent.callee === x;
        return calledHere && !ownNames(x).has(name);
      }
      if (x.type === "BlockStatement" && (x.body as Node[]).some((s) => s.type === "VariableDeclaration" && s.kind !== "var" && (s.declarations as Node[]).some((d) => isNode(d.id) && d.id.name === name))) {
        return false;
      }
      const isKey = parent && ((parent.type === "MemberExpression" && parent.property === x && !parent.computed) || (parent.type === "Property" && parent.key === x && !parent.computed));
      if (x.type === "Identifier" && x.name === name && !isKey) used = true;
    });
    return used;
  };
  eachNode(program, (n) => {
    const list = n.type === "Program" || n.type === "BlockStatement" ? (n.body as Node[]) : undefined;
    if (!list) return;
    list.forEach((decl, k) => {
      if (decl.type !== "FunctionDeclaration" || !isNode(decl.id)) return;
      const name = String(decl.id.name);
      if (list.slice(0, k).some((before) => usesNow(before, name))) found.push(`hoisting (${name})`);
    });
  });
  return found;
}

/**
 * "`let` in `for (let i…)` captured by a closure: one binding for the whole
 * loop", and likewise a let/const declared in a loop's body (see
 * platforms/espruino/dialect.ts): such a name read inside a function made
 * in the loop, unless that function is called on the spot or binds the
 * name itself.
 */
function capturedLoopBindings(program: Node): string[] {
  const found: string[] = [];
  const loops = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);
  eachNode(program, (loop) => {
    if (!loops.has(loop.type)) return;
    const names = new Set<string>();
    const head = loop.type === "ForStatement" ? loop.init : loop.type === "ForInStatement" || loop.type === "ForOfStatement" ? loop.left : undefined;
    const declare = (d: Node) =>
      (d.declarations as Node[]).forEach((v) => eachNode(v.id as Node, (x) => void (x.type === "Identifier" && names.add(String(x.name)))));
    if (isNode(head) && head.type === "VariableDeclaration" && head.kind !== "var") declare(head);
    eachNode(loop.body as Node, (x) => {
      if (isFunction(x)) return false;
      if (x.type === "VariableDeclaration" && x.kind !== "var") declare(x);
    });
    if (names.size === 0) return;
    eachNode(loop, (fn, parent) => {
      if (!isFunction(fn) || (parent?.type === "CallExpression" && parent.callee === fn)) return;
      const shadowed = ownNames(fn);
      eachNode(fn, (x, p) => {
        const isKey = p && ((p.type === "MemberExpression" && p.property === x && !p.computed) || (p.type === "Property" && p.key === x && !p.computed));
        if (x.type === "Identifier" && names.has(String(x.name)) && !shadowed.has(String(x.name)) && !isKey) found.push(`loop binding captured (${String(x.name)})`);
      });
      return false;
    });
  });
  return found;
}

const applications = readdirSync(path.join(ROOT, "configurations"))
  .filter((f) => /AppC\.ts$/.test(f))
  .sort();

/**
 * One board per kind of console and radio: Bluetooth console and BLE radio
 * (puckjs), Serial1 at 9600 and BLE (mdbt42q), USB and no radio (pico),
 * Serial1 at 115200 and no radio (esp32).
 */
const BOARDS = ["puckjs", "mdbt42q", "pico", "esp32"] as const;
const BLE_BOARDS = new Set<string>(["puckjs", "mdbt42q"]);

// Known not to fit these boards' JsVars yet: the build must refuse them by the budget, naming it. None at
// present: MultihopOscilloscopeAppC fits the nRF52 boards with their FORWARD_COUNT (boards.ts).
const OVER_BUDGET: Readonly<Record<string, readonly string[]>> = {};

/**
 * Builds with the board's JsVar budget lifted, for the dialect check alone:
 * an image over budget is still an image whose every construct must run.
 */
async function buildWithoutBudget(entry: string, board: string): Promise<BuildReport> {
  const description = ESPRUINO_BOARDS[board] as { memoryBudget?: number };
  const budget = description.memoryBudget;
  description.memoryBudget = undefined;
  try {
    return await buildFor(entry, board);
  } finally {
    description.memoryBudget = budget;
  }
}

/** What an image must be on any board: Espruino's dialect by the independent check, starting its own mote. */
function checkImage(report: BuildReport, board: string) {
  expect(failingConstructs(report.image)).toEqual([]);
  expect(report.image).not.toMatch(/globalThis\.mote\s*=/); // the image starts its mote itself
  expect(report.board).toBe(board);
  expect(report.figures.jsVarsAtBoot).toBeGreaterThan(0);
}

const cases = BOARDS.flatMap((board) => applications.map((file) => [file, board] as const));

describe("every application, built for espruino on every kind of board", () => {
  it("there are applications and boards to check", () => {
    expect(applications.length).toBeGreaterThanOrEqual(10);
    for (const board of BOARDS) expect(ESPRUINO_BOARDS[board]).toBeDefined();
  });

  it.each(cases)("%s on %s uses only what Espruino runs, or is refused for a reason named here", async (file, board) => {
    const entry = `configurations/${file}`;
    let report: BuildReport;
    try {
      report = await buildFor(entry, board);
    } catch (e) {
      if (!(e instanceof BuildError)) throw e;
      const messages = e.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
      // Refusals the build owes: every other refusal (a missing export, a dialect error) fails here.
      if (!BLE_BOARDS.has(board) && messages.length === 1 && /uses the BLE radio \(NRF\), which board \w+ does not have/.test(messages[0]!)) {
        // Its code is checked on the nRF52 boards, where it builds; it does use the radio there.
        const onPuck = await buildWithoutBudget(entry, "puckjs");
        expect(onPuck.image).toMatch(/\bNRF\b/);
        return;
      }
      expect(OVER_BUDGET[file] ?? [], `${file} on ${board} refused: ${messages.join("; ")}`).toContain(board);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(new RegExp(`needs about \\d+ JsVars once started, over the budget of \\d+ on ${board}`));
      const lifted = await buildWithoutBudget(entry, board);
      expect(lifted.figures.jsVarsBudget).toBeUndefined();
      checkImage(lifted, board);
      return;
    }
    checkImage(report, board);
    expect(report.figures.jsVarsAtBoot).toBeLessThanOrEqual(report.figures.jsVarsBudget!);
  });

  it("the independent check finds what it looks for", () => {
    expect(failingConstructs("var {a} = o; var m = new Map(); x?.y; a: for(;;) break a; f(...a); Math.trunc(1);")).toEqual([
      "destructuring",
      "Map",
      "optional chaining",
      "label",
      "spread",
      "Math.trunc",
    ]);
  });

  it("the independent check finds hoisting the code relies on, and loop bindings captured by closures", () => {
    expect(failingConstructs("f(); function f() {}")).toEqual(["hoisting (f)"]);
    expect(failingConstructs("var x = (() => g())(); function g() {}")).toEqual(["hoisting (g)"]);
    expect(failingConstructs("function h() { return f(); } function f() {} h();")).toEqual([]);
    expect(failingConstructs("var k = function () { f(); }; function f() {}")).toEqual([]);
    expect(failingConstructs("var o = { f: 1 }; o.f; function f() {}")).toEqual([]);
    expect(failingConstructs("for (let i = 0; i < 3; i++) fs.push(() => i);")).toEqual(["loop binding captured (i)"]);
    expect(failingConstructs("while (n < 3) { const m = n++; fs.push(function () { return m; }); }")).toEqual(["loop binding captured (m)"]);
    expect(failingConstructs("for (let i = 0; i < 3; i++) { fs.push((i) => i); (() => i)(); }")).toEqual([]);
    expect(failingConstructs("for (var i = 0; i < 3; i++) fs.push(() => i);")).toEqual([]);
  });
});

describe("what the espruino build refuses", () => {
  it("destructuring in a module: refused with the module's file and line", async () => {
    const errors = await refusal("test/fixtures/espruino/DestructuringAppC.ts");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/destructuring/);
    expect(errors[0]!.location?.file).toBe(path.join(FIXTURES, "DestructuringC.ts"));
    expect(errors[0]!.location?.line).toBe(11);
  });

  it("new Map() in a module: refused, naming the TypeScript file and line", async () => {
    const errors = await refusal("test/fixtures/espruino/MapAppC.ts");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/Map/);
    expect(errors[0]!.location?.file).toBe(path.join(FIXTURES, "MapUserC.ts"));
    expect(errors[0]!.location?.line).toBe(7);
  });

  it("a loop body's const captured by a closure: refused with the module's file and line", async () => {
    const errors = await refusal("test/fixtures/espruino/LoopCaptureAppC.ts");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^`m', declared in a loop's body, captured by a closure does not run on Espruino: .*pass it to a function as a parameter/);
    expect(errors[0]!.location?.file).toBe(path.join(FIXTURES, "LoopCaptureC.ts"));
    expect(errors[0]!.location?.line).toBe(18);
  });

  it("a board too small: refused with the estimate and the budget; a bigger board takes it", async () => {
    const errors = await refusal("test/fixtures/espruino/BigBuffersAppC.ts", "puckjs");
    expect(errors).toHaveLength(1);
    const m = /needs about (\d+) JsVars once started, over the budget of (\d+) on puckjs/.exec(errors[0]!.message);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(Number(m![2]));
    expect(Number(m![2])).toBe(2104);
    const pico = await buildFor("test/fixtures/espruino/BigBuffersAppC.ts", "pico");
    expect(pico.figures.jsVarsAtBoot).toBe(Number(m![1]));
    expect(pico.figures.jsVarsBudget).toBe(4080);
  });

  it("the BLE radio on a board without it", async () => {
    const errors = await refusal("test/fixtures/espruino/RadioCountAppC.ts", "pico");
    expect(errors[0]!.message).toMatch(/BLE radio \(NRF\), which board pico does not have/);
  });

  it("an unknown board", async () => {
    const errors = await refusal("configurations/BlinkAppC.ts", "arduino");
    expect(errors[0]!.message).toMatch(/unknown board `arduino' for platform espruino; known boards: pico, puckjs, mdbt42q, esp32, esp8266/);
  });
});

describe("the dialect check", () => {
  const constructs = (code: string) => findDialectViolations(code).map((f) => f.construct);

  it("refuses what Espruino cannot run", () => {
    expect(constructs("function* g() { yield 1; }")).toEqual(["generator function"]);
    expect(constructs("async function f() { await 1; }")).toEqual(["async function"]);
    expect(constructs("outer: for (;;) { continue outer; }")).toEqual(["labelled statement `outer:'"]);
    expect(constructs("class A extends (f()) {}")).toEqual(["`class ... extends (expression)'"]);
    expect(constructs("class A extends B {}")).toEqual([]);
    expect(constructs("var n = 10n;")).toEqual(["BigInt literal"]);
    expect(constructs("var o = { [k]: 1 };")).toEqual(["computed key ({ [k]: v })"]);
    expect(constructs("var x = a ** 2;")).toEqual(["exponent operator (**)"]);
    expect(constructs("var x = a?.b;")).toEqual(["optional chaining (?.)"]);
    expect(constructs("function f(a = 1) {}")).toEqual(["default value"]);
    expect(constructs("function f(...a) {}")).toEqual(["rest element"]);
    expect(constructs("f(...a);")).toEqual(["spread (...)"]);
    expect(constructs("class A { #x = 1; }")).toEqual(["private class member"]);
  });

  it("refuses the built-ins Espruino lacks, unless a local name shadows them", () => {
    expect(constructs("new Set(); Symbol('x'); new WeakMap(); setImmediate(f); Number.isInteger(1); Object.freeze(o); Math.imul(1, 2); Math.clz32(1); Array.from(a); process.nextTick(f);")).toEqual([
      "`Set' (Espruino has no Set)",
      "`Symbol' (Espruino has no Symbol)",
      "`WeakMap' (Espruino has no WeakMap)",
      "`setImmediate' (Espruino has no setImmediate)",
      "`Number.isInteger' (missing on Espruino)",
      "`Object.freeze' (missing on Espruino)",
      "`Math.imul' (missing on Espruino)",
      "`Math.clz32' (missing on Espruino)",
      "`Array.from' (missing on Espruino)",
      "`process.nextTick' (missing on Espruino)",
    ]);
    expect(constructs("function f(Map) { return new Map(); } var Set = 1; Set + 1; var o = { Map: 1 }; o.Map;")).toEqual([]);
    expect(constructs("Math.floor(1); Object.keys(o); globalThis.x; new Uint8Array(4);")).toEqual([]);
  });

  it("refuses a function used before its declaration runs, not one used from a function called later", () => {
    expect(constructs("f(); function f() {}")).toEqual(["`f' used before its function declaration"]);
    expect(constructs("(() => { g(); function g() {} })();")).toEqual(["`g' used before its function declaration"]);
    expect(constructs("function h() { return f(); } function f() {} h();")).toEqual([]);
    expect(constructs("var x = function () { f(); }; function f() {} x();")).toEqual([]);
    expect(constructs("v(); var v = 1;")).toEqual([]); // `var` hoisting works on Espruino
  });

  it("refuses let/const loop variables captured by closures, not plain uses", () => {
    expect(constructs("for (let i = 0; i < 3; i++) fs.push(() => i);")).toEqual(["loop variable `i' captured by a closure"]);
    expect(constructs("for (const x of xs) fs.push(function () { return x; });")).toEqual(["loop variable `x' captured by a closure"]);
    expect(constructs("for (let i = 0; i < 3; i++) sum += i;")).toEqual([]);
    expect(constructs("for (var i = 0; i < 3; i++) fs.push(() => i);")).toEqual([]);
    expect(constructs("for (let i = 0; i < 3; i++) fs.push((i) => i);")).toEqual([]); // a parameter of its own
  });

  it("refuses let/const declared in a loop's body and captured by a closure (the safe side: see dialect.ts)", () => {
    const captured = (name: string) => [`\`${name}', declared in a loop's body, captured by a closure`];
    expect(constructs("let n = 0; while (n < 3) { const m = n; setTimeout(() => m, 0); n++; }")).toEqual(captured("m"));
    expect(constructs("do { let k = f(); if (k) { g(function () { return k; }); } } while (x);")).toEqual(captured("k"));
    expect(constructs("for (const x of xs) { const y = x * 2; fs.push(() => y); }")).toEqual(captured("y"));
    expect(constructs("for (;;) { const m = 1; g(m); (() => m)(); }")).toEqual([]); // used in place, or by a function called right there
    expect(constructs("for (;;) { fs.push(function () { const q = 1; return () => q; }); }")).toEqual([]); // q is the function's own, once per call
    expect(constructs("{ const z = 1; f(() => z); }")).toEqual([]); // a block outside any loop runs once
    expect(constructs("while (x) { var v = 1; f(() => v); }")).toEqual([]); // var is one binding everywhere, as the code expects
  });
});

describe("the JsVar estimate", () => {
  it("prices what Espruino's own counts say (espruino-dialect.md)", () => {
    const opts = { charsPerJsVar: 9, jsVarBytes: 13 };
    const empty = estimateJsVars("", opts).total;
    // A closure returning an object with two methods: Espruino counts 22 at its REPL, which also keeps the
    // functions' text and line numbers and the typed line; run from flash, 2 × 4 + 4 + 2 (jsvars.ts).
    const closure = estimateJsVars("var mk = function () { var n = 0; return { a: function () { n++; }, b: function () { return n; } }; }; var o = mk();", opts);
    expect(closure.total - empty - 3 /* mk itself, at the top level */).toBe(14);
    // Ten small { v: n } objects in an array: Espruino counts 41.
    const ten = estimateJsVars("var a = [{v:0},{v:1},{v:2},{v:3},{v:4},{v:5},{v:6},{v:7},{v:8},{v:9}];", opts);
    expect(ten.total - empty).toBe(41);
  });

  it("counts typed arrays by their bytes", () => {
    const opts = { charsPerJsVar: 9, jsVarBytes: 13 };
    const small = estimateJsVars("var b = new Uint8Array(16);", opts);
    const big = estimateJsVars("var b = new Uint8Array(1300);", opts);
    expect(small.typedArrayBytes).toBe(16);
    expect(small.breakdown.typedArrays).toBe(2 + 2);
    expect(big.breakdown.typedArrays).toBe(2 + 1 + 100);
  });

  it("an image that fails to start under the Espruino API is refused", () => {
    expect(() => estimateJsVars("(() => { new Map(); })();", { charsPerJsVar: 9, jsVarBytes: 13 })).toThrow(/failed to start under the Espruino API shim/);
  });
});
