/**
 * The little JavaScript the emulated Espruino board understands: the
 * expressions the flasher types (and a person testing by hand would),
 * evaluated over a whitelist of syntax and built-ins, never with `eval`.
 *
 * Strings are byte strings, one char per byte, as on Espruino.
 *
 * Two modes: `repl` rejects anything outside the whitelist with an error as
 * Espruino would print it; `image` (code run at boot) runs the top-level
 * statements it fully understands (`console.log("…")`, `eval(require(
 * "Storage").read("…"))`) and passes over the rest silently.
 */
import { parse } from "acorn";
import { crc32 } from "./protocol.ts";

export class Builtin {
  constructor(
    readonly name: string,
    readonly members: Readonly<Record<string, Value>> = {},
    readonly call?: (args: Value[]) => Value,
  ) {}
}

export type Value = string | number | boolean | null | undefined | Builtin | Value[] | { [key: string]: Value };

/** An error the board prints as `Uncaught <kind>: <message>`. */
export class JsError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** Code outside what the emulator understands. */
export class NotEmulated extends Error {}

export interface EmulatedStorageApi {
  read(name: string): string | undefined;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  erase(name: string): void;
  getFree(): number;
  list(): string[];
}

/** What the code can reach on the board. */
export interface BoardApi {
  readonly version: string;
  readonly board: string;
  readonly storage: EmulatedStorageApi;
  readonly globals: Map<string, Value>;
  print(text: string): void;
  /** Code from `eval` is about to run (the board records which Storage file booted). */
  evaluating(code: string): void;
  load(): void;
  reset(): void;
  reboot(): void;
  /** `LoopbackA.setConsole(…)`: the console moves off the board's port, to the running code (a mote image's serial stack). */
  takeConsole(): void;
}

export type Mode = "repl" | "image";

interface Node {
  type: string;
  [key: string]: unknown;
}

export function format(v: Value): string {
  if (typeof v === "string") return v;
  if (v instanceof Builtin) return `function ${v.name}() { [native code] }`;
  if (typeof v === "object" && v !== null) return toJson(v) ?? "undefined";
  return String(v);
}

function toJson(v: Value): string | undefined {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Builtin ? undefined : x));
}

export class Interpreter {
  private readonly roots: Map<string, Value>;

  constructor(private readonly board: BoardApi) {
    const fn = (name: string, call: (args: Value[]) => Value) => new Builtin(name, {}, call);
    const str = (v: Value) => (v === undefined ? "" : format(v));
    const storage = board.storage;
    const Storage = new Builtin("Storage", {
      read: fn("read", ([name]) => storage.read(str(name))),
      write: fn("write", ([name, data, offset, size]) =>
        storage.write(str(name), format(data), typeof offset === "number" ? offset : undefined, typeof size === "number" ? size : undefined),
      ),
      erase: fn("erase", ([name]) => {
        storage.erase(str(name));
        return undefined;
      }),
      getFree: fn("getFree", () => storage.getFree()),
      list: fn("list", () => storage.list()),
    });
    const print = fn("print", (args) => {
      board.print(`${args.map(format).join(" ")}\r\n`);
      return undefined;
    });
    this.roots = new Map<string, Value>([
      ["undefined", undefined],
      ["print", print],
      ["console", new Builtin("console", { log: print })],
      ["JSON", new Builtin("JSON", { stringify: fn("stringify", ([v]) => toJson(v)) })],
      ["process", new Builtin("process", { env: new Builtin("env", { VERSION: board.version, BOARD: board.board }) })],
      [
        "E",
        new Builtin("E", {
          CRC32: fn("CRC32", ([v]) => crc32(Buffer.from(str(v), "latin1"))),
          // With alwaysExec, Espruino writes .bootrst, which it then runs at boot in place of .bootcde.
          setBootCode: fn("setBootCode", ([code, alwaysExec]) => storage.write(alwaysExec ? ".bootrst" : ".bootcde", str(code))),
          reboot: fn("reboot", () => void board.reboot()),
        }),
      ],
      [
        "require",
        fn("require", ([name]) => {
          if (name === "Storage") return Storage;
          throw new JsError("Error", `Module ${str(name)} not found`);
        }),
      ],
      ["LoopbackA", new Builtin("LoopbackA", { setConsole: fn("setConsole", () => void board.takeConsole()) })],
      ["load", fn("load", () => void board.load())],
      ["reset", fn("reset", () => void board.reset())],
    ]);
  }

  /** Runs a program; in `repl` mode returns the last statement's value or throws JsError. */
  run(code: string, mode: Mode): Value {
    let program: Node;
    try {
      program = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as Node;
    } catch (e) {
      throw new JsError("SyntaxError", (e as Error).message);
    }
    let last: Value;
    for (const statement of program.body as Node[]) {
      if (statement.type === "EmptyStatement") continue;
      try {
        if (statement.type !== "ExpressionStatement") throw new NotEmulated(statement.type);
        last = this.expression(statement.expression as Node, mode);
      } catch (e) {
        if (mode === "image" && e instanceof NotEmulated) continue;
        if (e instanceof NotEmulated) throw new JsError("Error", `${e.message} is not emulated`);
        throw e;
      }
    }
    return last;
  }

  private expression(node: Node, mode: Mode): Value {
    const ev = (n: unknown) => this.expression(n as Node, mode);
    switch (node.type) {
      case "Literal":
        if (node.regex) throw new NotEmulated("a regular expression");
        return node.value as Value;
      case "Identifier": {
        const name = node.name as string;
        if (this.board.globals.has(name)) return this.board.globals.get(name);
        if (name === "eval") return new Builtin("eval", {}, ([code]) => this.evalBuiltin(code, mode));
        if (this.roots.has(name)) return this.roots.get(name);
        if (mode === "image") throw new NotEmulated(name);
        throw new JsError("ReferenceError", `"${name}" is not defined`);
      }
      case "MemberExpression": {
        if (node.computed) throw new NotEmulated("a computed member");
        const object = ev(node.object);
        const name = (node.property as Node).name as string;
        if (object === undefined || object === null) throw new JsError("TypeError", `Cannot read property '${name}' of ${object}`);
        if (object instanceof Builtin) return object.members[name];
        if ((typeof object === "string" || Array.isArray(object)) && name === "length") return object.length;
        if (typeof object === "object" && !Array.isArray(object)) return object[name];
        throw new NotEmulated(`.${name}`);
      }
      case "CallExpression": {
        const callee = ev(node.callee);
        const args = (node.arguments as Node[]).map((a) => ev(a));
        if (callee instanceof Builtin && callee.call) return callee.call(args);
        if (mode === "image") throw new NotEmulated("a call");
        throw new JsError("TypeError", `${describe(node.callee as Node)} is not a function`);
      }
      case "AssignmentExpression": {
        const target = node.left as Node;
        if (node.operator !== "=" || target.type !== "Identifier") throw new NotEmulated(`assignment ${String(node.operator)}`);
        const value = ev(node.right);
        this.board.globals.set(target.name as string, value);
        return value;
      }
      case "BinaryExpression": {
        const a = ev(node.left);
        const b = ev(node.right);
        switch (node.operator) {
          case "+":
            return typeof a === "number" && typeof b === "number" ? a + b : format(a) + format(b);
          case "-":
            return Number(a) - Number(b);
          case "==":
          case "===":
            return a === b || (a == null && b == null && node.operator === "==");
          case "!=":
          case "!==":
            return !(a === b || (a == null && b == null && node.operator === "!="));
          case "<":
            return Number(a) < Number(b);
          case ">":
            return Number(a) > Number(b);
          default:
            throw new NotEmulated(`operator ${String(node.operator)}`);
        }
      }
      case "LogicalExpression": {
        const a = ev(node.left);
        if (node.operator === "&&") return a ? ev(node.right) : a;
        if (node.operator === "||") return a ? a : ev(node.right);
        throw new NotEmulated(`operator ${String(node.operator)}`);
      }
      case "UnaryExpression": {
        const a = ev(node.argument);
        if (node.operator === "!") return !a;
        if (node.operator === "-") return -Number(a);
        throw new NotEmulated(`operator ${String(node.operator)}`);
      }
      case "ConditionalExpression":
        return ev(node.test) ? ev(node.consequent) : ev(node.alternate);
      case "SequenceExpression": {
        let last: Value;
        for (const e of node.expressions as Node[]) last = ev(e);
        return last;
      }
      case "ArrayExpression":
        return (node.elements as (Node | null)[]).map((e) => (e === null ? undefined : ev(e)));
      case "ObjectExpression": {
        const out: { [key: string]: Value } = {};
        for (const p of node.properties as Node[]) {
          if (p.type !== "Property" || p.computed || p.kind !== "init") throw new NotEmulated("an object member");
          const key = p.key as Node;
          out[key.type === "Identifier" ? (key.name as string) : String(key.value)] = ev(p.value);
        }
        return out;
      }
      default:
        throw new NotEmulated(node.type);
    }
  }

  private evalBuiltin(code: Value, mode: Mode): Value {
    if (typeof code !== "string") return code;
    this.board.evaluating(code);
    return this.run(code, mode);
  }
}

function describe(node: Node): string {
  if (node.type === "Identifier") return node.name as string;
  if (node.type === "MemberExpression" && !node.computed) return `${describe(node.object as Node)}.${(node.property as Node).name as string}`;
  return "expression";
}
