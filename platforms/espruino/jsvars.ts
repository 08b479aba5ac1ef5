/**
 * How many JsVars an `espruino` image holds once it has started: an
 * estimate the build checks against the board's budget.
 *
 * Espruino keeps every value in fixed-size blocks called JsVars (12–16
 * bytes on a board). The estimate runs the minified image once, at build
 * time, in Node under the Espruino API shim (tools/espruino/shim.ts), with
 * the image instrumented to count what it creates while it starts: every
 * function object, object and array literal, typed array, and every
 * function call whose scope outlives it (a call that creates closures keeps
 * its scope, with one JsVar per local, alive). Each is priced in JsVars:
 *
 * | thing created                 | JsVars                                           |
 * | ----------------------------- | ------------------------------------------------ |
 * | function (closure)            | 4 + 1 per parameter; 3 at the top level; + 1 + d if made d ≥ 2 function scopes deep |
 * | bound function (`f.bind`)     | 5 + 1 per parameter of f + 1 per bound argument  |
 * | object literal                | 2 + 1 per property it has once the mote started  |
 * | array literal                 | 1 + 1 per element                                |
 * | kept scope                    | 1 + 1 per local variable or parameter, + 1 per value a name cannot hold (a boolean, null, a float, a large integer; a string's characters) |
 * | typed array of n bytes        | 2 + n / (characters per JsVar), or 3 + n / (bytes per JsVar) once large (a flat string) |
 * | view (`subarray`, a typed array on an existing buffer) | 1                     |
 *
 * A function, from Espruino's sources (jsparse.c, jspeFunctionDefinition
 * and jspeFunctionDefinitionInternal): its own var, a name per parameter,
 * the `#cod` name and its value (a native string, below), and the `#sco`
 * name, whose value is the scope the function was made in, shared by every
 * function made there (jspeiGetScopesAsVar returns that scope itself when
 * there is one; from two function scopes deep it copies the chain, an array
 * with a name per scope; at the top level there is none, and no name). No
 * `#lin` line number: Espruino adds one only when the code was sent with a
 * line-number offset, and boot code runs with none (jsflash.c,
 * jsfLoadBootCodeFromFlash: `jspEvaluateVar(code, 0, 0)`). A bound
 * function (jswrap_functions.c, jswrap_function_bind) is a new function var
 * with a copy of each of f's names (parameters, `#cod`, `#sco`), a value
 * per bound argument, and the `#thi` name with its value.
 *
 * Calibration: espruino-dialect.md's table was measured at the REPL of the
 * Linux build. Its 41 JsVars for ten `{ v: n }` objects in an array are
 * 1 + 10 + 10 × 3 here. Its 22 for a closure returning an object with two
 * methods are 2 × 4 (functions) + 4 (object with 2 properties) + 2 (the
 * kept scope with one local) = 14 here, from flash: the rest is, as far as
 * the sources tell, what the REPL keeps and a flashed image does not (each
 * function's text copied into RAM and its line number, the typed line in
 * the REPL's history); not measured on a board.
 *
 * Function code: when the image runs from Storage (`.bootcde`, which is how
 * `mote flash` installs it), Espruino points each function's code at the
 * text in flash (a native string, one JsVar: Espruino's jsparse.c, "use
 * another Native String to load function code straight from flash"). Typed
 * into the REPL instead, every function object copies its text into RAM,
 * ⌈text length / characters per JsVar⌉ JsVars each: reported as
 * `jsVarsAtBootCodeInRam`, not checked.
 *
 * The estimate is an upper bound in one respect: temporaries created while
 * starting (a `map` callback) are counted as if they stayed.
 */
import { parse } from "acorn";
import { isFunction, isNode, type Node } from "../../tools/build/ast.ts";
import { EspruinoShim, type ShimBoard } from "../../tools/espruino/shim.ts";

/** A function made in a function scope: its var, `#cod` with its value, `#sco` (parameters apart). */
export const FUNCTION_JSVARS = 4;
/** A bound function: its var, copies of `#cod` and `#sco`, `#thi` and its value (parameters apart). */
export const BOUND_FUNCTION_JSVARS = 5;
export const OBJECT_JSVARS = 2;
export const ARRAY_JSVARS = 1;
export const SCOPE_JSVARS = 1;
export const TYPED_ARRAY_JSVARS = 2;

export interface JsVarEstimateOptions {
  /** Characters of string data per JsVar on the board. */
  readonly charsPerJsVar: number;
  /** Bytes per JsVar on the board (flat strings). */
  readonly jsVarBytes: number;
  /** The shim board to start the image on (default the test board). */
  readonly board?: ShimBoard | string;
}

export interface JsVarEstimate {
  /** JsVars held once the image has started, code running from flash (as flashed). */
  readonly total: number;
  /** The same with every function's code copied into RAM (image typed into the REPL). */
  readonly totalCodeInRam: number;
  readonly functions: number;
  readonly objects: number;
  readonly arrays: number;
  readonly scopes: number;
  readonly typedArrays: number;
  readonly typedArrayBytes: number;
  /** The JsVars of each kind. */
  readonly breakdown: Readonly<Record<"functions" | "objects" | "arrays" | "scopes" | "typedArrays" | "image" | "codeInRam", number>>;
}

/** The image failed to start in the shim (it would fail on the board too). */
export class ImageStartError extends Error {
  constructor(readonly original: unknown) {
    super(`the image failed to start under the Espruino API shim: ${original instanceof Error ? original.message : String(original)}`);
    this.name = "ImageStartError";
  }
}


interface FunctionInfo {
  readonly params: number;
  readonly codeChars: number;
  /** Function scopes around it where it is made (0: the top level). */
  readonly depth: number;
}

interface Edit {
  readonly pos: number;
  /** 0 closes, 1 opens: at one position, what closes comes before what opens. */
  readonly kind: 0 | 1;
  readonly depth: number;
  readonly text: string;
}

/** Names the counting functions take in the instrumented image. */
const FN = "__moteF";
const DECL = "__moteD";
const OBJ = "__moteO";
const ARR = "__moteA";
const SCOPE = "__moteS";
const BIND = "__moteB";
const VALUES = "__moteV";

interface Instrumented {
  readonly code: string;
  readonly functions: readonly FunctionInfo[];
  /** Per object literal: the method functions it creates with it. */
  readonly objectMethods: readonly (readonly FunctionInfo[])[];
  /** Per function body: the function declarations it creates on entry. */
  readonly declarations: readonly (readonly FunctionInfo[])[];
}

/** Counts locals of a function body (not of nested functions): `var`, `let`, `const`, declared functions. */
function countLocals(body: Node): number {
  let count = 0;
  const walk = (n: unknown) => {
    if (!isNode(n)) return;
    if (n.type === "VariableDeclaration") count += (n.declarations as unknown[]).length;
    if (n.type === "FunctionDeclaration" || n.type === "ClassDeclaration") count++;
    if (isFunction(n) || n.type === "ClassExpression") return;
    for (const key in n) {
      if (key === "type" || key === "start" || key === "end") continue;
      const v = n[key];
      if (Array.isArray(v)) v.forEach(walk);
      else walk(v);
    }
  };
  for (const s of body.type === "BlockStatement" ? (body.body as Node[]) : [body]) walk(s);
  return count;
}

/** Whether a function's own code (not nested functions') creates a function. */
function createsClosures(fn: Node): boolean {
  let found = false;
  const walk = (n: unknown, top: boolean) => {
    if (found || !isNode(n)) return;
    if (!top && (isFunction(n) || n.type === "ClassExpression" || n.type === "ClassDeclaration")) {
      found = true;
      return;
    }
    for (const key in n) {
      if (key === "type" || key === "start" || key === "end") continue;
      const v = n[key];
      if (Array.isArray(v)) for (const x of v) walk(x, false);
      else walk(v, false);
    }
  };
  walk(fn.body, true);
  return found;
}

function info(fn: Node, code: string, depth: number): FunctionInfo {
  const body = fn.body as Node;
  return { params: (fn.params as unknown[]).length, codeChars: code.slice(body.start, body.end).length, depth };
}

/**
 * JsVars a local's value takes besides its name: none for an integer the
 * name holds itself (jsvar.c, jsvSetValueOfName: within ±2^(bits - 1), with
 * bits the width of a JsVar reference, which is the JsVar's size in bytes on
 * boards up to 16,383 JsVars), nor for undefined or what is priced where it
 * is made (functions, objects, arrays, typed arrays); one for a boolean,
 * null, a float or a larger integer; a string's characters otherwise.
 */
function valueJsVars(v: unknown, options: { readonly charsPerJsVar: number; readonly jsVarBytes: number }): number {
  const range = 2 ** (options.jsVarBytes - 1);
  if (v === undefined || typeof v === "function" || (typeof v === "object" && v !== null)) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= -range && v < range) return 0;
  if (typeof v === "string") return Math.max(1, Math.ceil(v.length / options.charsPerJsVar));
  return 1;
}

/** JsVars of a function made `depth` function scopes deep (see the table above). */
function functionJsVars(f: FunctionInfo): number {
  const scope = f.depth === 0 ? -1 : f.depth >= 2 ? 1 + f.depth : 0;
  return FUNCTION_JSVARS + scope + f.params;
}

/** Inserts the counting calls into the image. */
export function instrument(code: string): Instrumented {
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as Node;
  const edits: Edit[] = [];
  const functions: FunctionInfo[] = [];
  const objectMethods: FunctionInfo[][] = [];
  const declarations: FunctionInfo[][] = [];
  const wrap = (n: Node, depth: number, before: string) => {
    edits.push({ pos: n.start, kind: 1, depth, text: before });
    edits.push({ pos: n.end, kind: 0, depth, text: ")" });
  };
  /** Counting at the entry of a function body (or the program). */
  const atEntry = (owner: Node, body: Node, depth: number, scopeLocals: number | undefined, fnDepth: number) => {
    const decls: FunctionInfo[] = [];
    for (const s of body.type === "BlockStatement" || body.type === "Program" ? (body.body as Node[]) : []) {
      if (s.type === "FunctionDeclaration") decls.push(info(s, code, fnDepth));
    }
    const calls: string[] = [];
    if (decls.length) {
      declarations.push(decls);
      calls.push(`${DECL}(${declarations.length - 1})`);
    }
    if (scopeLocals !== undefined) calls.push(`${SCOPE}(${scopeLocals})`);
    if (!calls.length) return;
    if (body.type === "Program") edits.push({ pos: 0, kind: 1, depth: -1, text: `${calls.join(";")};` });
    else if (body.type === "BlockStatement") edits.push({ pos: body.start + 1, kind: 1, depth: -1, text: `${calls.join(";")};` });
    else {
      edits.push({ pos: body.start, kind: 1, depth: depth - 0.5, text: ` (${calls.join(",")},` });
      edits.push({ pos: body.end, kind: 0, depth: depth - 0.5, text: ")" });
    }
    void owner;
  };

  /** `fnDepth`: the function scopes around `n`. */
  const walk = (n: Node, depth: number, parent: Node | undefined, parentKey: string, fnDepth: number) => {
    if (isFunction(n)) {
      const isMethod =
        parent !== undefined &&
        ((parent.type === "Property" && parentKey === "value" && (parent.method === true || parent.kind !== "init")) ||
          parent.type === "MethodDefinition");
      const isIife = parent !== undefined && parent.type === "CallExpression" && parentKey === "callee";
      if (n.type !== "FunctionDeclaration" && !isMethod && !isIife) {
        functions.push(info(n, code, fnDepth));
        wrap(n, depth, ` ${FN}(${functions.length - 1},`);
      }
      const body = n.body as Node;
      const locals = (n.params as unknown[]).length + countLocals(body);
      const kept = createsClosures(n);
      atEntry(n, body, depth + 1, kept ? locals : undefined, fnDepth + 1);
      // A kept scope's values, read where its body ends (before a closing `return`): those a name cannot hold.
      if (kept && body.type === "BlockStatement") {
        const names = (n.params as Node[]).flatMap((p) => (p.type === "Identifier" ? [String(p.name)] : []));
        for (const st of body.body as Node[]) {
          if (st.type === "VariableDeclaration") for (const d of st.declarations as Node[]) if ((d.id as Node).type === "Identifier") names.push(String((d.id as Node).name));
        }
        const last = (body.body as Node[]).at(-1);
        const at = last && last.type === "ReturnStatement" ? last.start : body.end - 1;
        if (names.length) edits.push({ pos: at, kind: 1, depth: -1, text: `${VALUES}(() => [${names.join(",")}]);` });
      }
    } else if (n.type === "ObjectExpression") {
      const methods: FunctionInfo[] = [];
      for (const p of n.properties as Node[]) {
        if (p.type === "Property" && (p.method === true || p.kind !== "init") && isNode(p.value)) methods.push(info(p.value, code, fnDepth));
      }
      objectMethods.push(methods);
      wrap(n, depth, ` ${OBJ}(${objectMethods.length - 1},`);
    } else if (n.type === "ArrayExpression") {
      wrap(n, depth, ` ${ARR}(`);
    } else if (n.type === "Program") {
      atEntry(n, n, depth, undefined, 0);
    } else if (n.type === "CallExpression") {
      const callee = n.callee as Node;
      if (callee.type === "MemberExpression" && callee.computed !== true && (callee.property as Node).name === "bind") {
        wrap(n, depth, ` ${BIND}(${Math.max(0, (n.arguments as unknown[]).length - 1)},`);
      }
    }
    const inner = isFunction(n) ? fnDepth + 1 : fnDepth;
    for (const key in n) {
      if (key === "type" || key === "start" || key === "end") continue;
      const v = n[key];
      if (Array.isArray(v)) {
        for (const item of v) if (isNode(item)) walk(item, depth + 1, n, key, inner);
      } else if (isNode(v)) walk(v, depth + 1, n, key, inner);
    }
  };
  walk(ast, 0, undefined, "", 0);

  edits.sort((a, b) => a.pos - b.pos || a.kind - b.kind || (a.kind === 0 ? b.depth - a.depth : a.depth - b.depth));
  let out = "";
  let last = 0;
  for (const e of edits) {
    out += code.slice(last, e.pos) + e.text;
    last = e.pos;
  }
  out += code.slice(last);
  return { code: out, functions, objectMethods, declarations };
}

/** Starts `image` once under the shim and prices what it created. */
export function estimateJsVars(image: string, options: JsVarEstimateOptions): JsVarEstimate {
  const inst = instrument(image);
  const { charsPerJsVar, jsVarBytes } = options;
  const codeVars = (chars: number) => Math.max(1, Math.ceil(chars / charsPerJsVar));
  let functions = 0;
  let functionVars = 0;
  let codeInRam = 0;
  const addFunction = (f: FunctionInfo) => {
    functions++;
    functionVars += functionJsVars(f);
    codeInRam += codeVars(f.codeChars) - 1; // the flash model already counts one code JsVar
  };
  const objects: object[] = [];
  const arrays: unknown[][] = [];
  let scopes = 0;
  let scopeVars = 0;
  let typedArrays = 0;
  let typedArrayBytes = 0;
  let typedArrayVars = 0;
  const counting = <T extends new (...args: never[]) => ArrayBufferView>(Base: T) =>
    new Proxy(Base, {
      construct(target, args: unknown[]) {
        const made = Reflect.construct(target, args) as ArrayBufferView;
        typedArrays++;
        if (args[0] instanceof ArrayBuffer) {
          typedArrayVars += 1; // a view on an existing buffer
        } else {
          const bytes = made.byteLength;
          typedArrayBytes += bytes;
          const flat = bytes > 2 * charsPerJsVar;
          typedArrayVars += TYPED_ARRAY_JSVARS + (flat ? 1 + Math.ceil(bytes / jsVarBytes) : Math.ceil(bytes / charsPerJsVar));
        }
        return made;
      },
    });
  const hooks: Record<string, unknown> = {
    [FN]: (id: number, fn: unknown) => {
      addFunction(inst.functions[id]!);
      return fn;
    },
    [DECL]: (id: number) => {
      for (const f of inst.declarations[id]!) addFunction(f);
    },
    [OBJ]: (id: number, obj: object) => {
      objects.push(obj);
      for (const f of inst.objectMethods[id]!) addFunction(f);
      return obj;
    },
    [ARR]: (arr: unknown[]) => {
      arrays.push(arr);
      return arr;
    },
    [BIND]: (bound: number, fn: unknown) => {
      // The bound function's own length is what is left of the target's parameters.
      const params = (typeof fn === "function" ? fn.length : 0) + bound;
      functions++;
      functionVars += BOUND_FUNCTION_JSVARS + params + bound;
      return fn;
    },
    [VALUES]: (read: () => unknown[]) => {
      for (const v of read()) {
        const extra = valueJsVars(v, options);
        scopeVars += extra;
      }
    },
    [SCOPE]: (locals: number) => {
      scopes++;
      scopeVars += SCOPE_JSVARS + locals;
    },
    Uint8Array: counting(Uint8Array),
    Uint16Array: counting(Uint16Array),
    Uint32Array: counting(Uint32Array),
    Int8Array: counting(Int8Array),
    Int16Array: counting(Int16Array),
    Int32Array: counting(Int32Array),
    Float32Array: counting(Float32Array),
    Float64Array: counting(Float64Array),
  };
  const shim = new EspruinoShim({ board: options.board ?? "test", extraGlobals: hooks });
  // `subarray` makes a view: one JsVar on Espruino (jswrap_arraybufferview_subarray makes an ArrayBufferView on the same buffer).
  const typedArrayMethods = Object.getPrototypeOf(Uint8Array.prototype) as { subarray: (this: ArrayBufferView, ...args: unknown[]) => ArrayBufferView };
  const subarray = typedArrayMethods.subarray;
  typedArrayMethods.subarray = function (this: ArrayBufferView, ...args: unknown[]) {
    typedArrays++;
    typedArrayVars += 1;
    return subarray.apply(this, args);
  };
  try {
    shim.load(inst.code, "espruino-image-jsvars.js");
  } catch (e) {
    throw new ImageStartError(e);
  } finally {
    typedArrayMethods.subarray = subarray;
  }
  if (shim.uncaught.length) throw new ImageStartError(shim.uncaught[0]);
  const objectVars = objects.reduce<number>((sum, o) => sum + OBJECT_JSVARS + Object.keys(o).length, 0);
  const arrayVars = arrays.reduce<number>((sum, a) => sum + ARRAY_JSVARS + a.length, 0);
  const imageVars = 1; // `.bootcde` itself: a native string pointing into flash
  const total = functionVars + objectVars + arrayVars + scopeVars + typedArrayVars + imageVars;
  return {
    total,
    totalCodeInRam: total + codeInRam,
    functions,
    objects: objects.length,
    arrays: arrays.length,
    scopes,
    typedArrays,
    typedArrayBytes,
    breakdown: {
      functions: functionVars,
      objects: objectVars,
      arrays: arrayVars,
      scopes: scopeVars,
      typedArrays: typedArrayVars,
      image: imageVars,
      codeInRam,
    },
  };
}
