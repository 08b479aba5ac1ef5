/**
 * Runs JavaScript on the Moddable XS engine (via @agoric/xsnap) and reports XS's deterministic
 * meters: `compute` (XS's instruction meter) and `heapCount` (heap slots in use, garbage
 * included until the next GC). The project's benchmark instrument and MCU-class test engine.
 *
 * xsnap's Node API needs `@endo/init`, which locks down the whole realm, so the engine lives in a
 * child process (tools/xs/xs-child.js); this module only forks it and talks JSON over Node IPC.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface XsEvaluation {
  /** XS compute meter for this evaluation (same number xsnap's own evaluate reports). */
  compute: number;
  /** Heap slots in use after the evaluation, including not-yet-collected garbage. */
  heapCount: number;
  /** Values the code passed to the guest global `report(value)` (JSON round-tripped), in order. */
  output: unknown[];
  /** Lines the code printed with the guest global `print(...)` (plus any raw XS stdout). */
  log: string[];
}

export interface XsEngine {
  /** Evaluates a script (indirect global eval: `var`/functions become globals). Serialized. */
  evaluate(code: string): Promise<XsEvaluation>;
  /** Stops the XS worker and its child process. Idempotent. */
  close(): Promise<void>;
  /** Wall time from fork to ready, in milliseconds (informational only). */
  readonly startupMs: number;
  /** Process id of the Node child hosting the XS worker (diagnostics). */
  readonly pid: number;
}

export interface XsOptions {
  /** Per-evaluation compute limit; exceeding it kills the engine. Default 1e8 (xsnap's); 0 = unlimited. */
  meteringLimit?: number;
}

/** An exception thrown by evaluated code inside XS. */
export class XsError extends Error {
  /** The exception as XS renders it, e.g. "TypeError: f: cannot coerce null to object". */
  readonly xsText: string;
  /** XS stack frames of the user code, e.g. ["at f (eval-3:2)", "at (eval-4:1)"]; may be empty. */
  readonly frames: readonly string[];
  constructor(xsText: string, frames: readonly string[]) {
    super(frames.length > 0 ? `${xsText}\n    ${frames.join("\n    ")}` : xsText);
    this.name = "XsError";
    this.xsText = xsText;
    this.frames = frames;
  }
}

const CHILD = fileURLToPath(new URL("./xs-child.js", import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;
const CLOSE_GRACE_MS = 5_000;
const TAIL_CHARS = 4_000;

/** Path of the xsnap-worker binary for this OS (it may not exist if the native build failed). */
export function xsWorkerPath(): string {
  const pkg = path.dirname(createRequire(import.meta.url).resolve("@agoric/xsnap/package.json"));
  const platform = os.type() === "Darwin" ? "mac" : "lin";
  return path.join(pkg, "xsnap-native", "xsnap", "build", "bin", platform, "release", "xsnap-worker");
}

/** Whether the built xsnap-worker binary exists. */
export function xsAvailable(): boolean {
  try {
    return (os.type() === "Linux" || os.type() === "Darwin") && existsSync(xsWorkerPath());
  } catch {
    return false;
  }
}

type Pending = { resolve: (value: Reply) => void; reject: (error: Error) => void };

interface Reply {
  ok: boolean;
  compute?: unknown;
  heapCount?: unknown;
  output?: unknown;
  log?: unknown;
  error?: unknown;
  frames?: unknown;
  dead?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Forks a child hosting one fresh XS machine; resolves once it is ready to evaluate. */
export async function openXs(options: XsOptions = {}): Promise<XsEngine> {
  if (!xsAvailable()) throw new Error(`XS is not available: no xsnap-worker binary at ${xsWorkerPath()}`);
  const childOptions: XsOptions = {};
  if (options.meteringLimit !== undefined) {
    if (!Number.isInteger(options.meteringLimit) || options.meteringLimit < 0 || options.meteringLimit > 2 ** 31 - 1) {
      throw new RangeError(`meteringLimit must be an integer in [0, 2^31-1], got ${options.meteringLimit}`);
    }
    childOptions.meteringLimit = options.meteringLimit;
  }

  const t0 = Date.now();
  const child: ChildProcess = fork(CHILD, [JSON.stringify(childOptions)], {
    // No TS loader or test-runner flags in the child: it is plain JS and locks down its realm.
    execArgv: [],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "json",
  });

  let tail = "";
  const keep = (chunk: Buffer | string) => {
    tail = (tail + String(chunk)).slice(-TAIL_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: string | undefined; // set once the child can no longer serve requests
  let xsPid = 0;
  const killXs = () => {
    if (xsPid <= 0) return;
    try {
      process.kill(xsPid, "SIGKILL");
    } catch {
      // already gone
    }
    xsPid = 0;
  };
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const describe = (what: string) => {
    const t = tail.trim();
    return t ? `${what}\n--- XS child stderr/stdout (tail) ---\n${t}` : what;
  };
  const failAll = (message: string) => {
    gone ??= message;
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };

  const ready = new Promise<{ startupMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(describe(`XS child did not become ready within ${STARTUP_TIMEOUT_MS} ms`)));
      child.kill("SIGKILL");
    }, STARTUP_TIMEOUT_MS);
    child.on("message", (msg: unknown) => {
      if (!isRecord(msg)) return;
      if (msg.op === "ready") {
        clearTimeout(timer);
        xsPid = typeof msg.xsPid === "number" ? msg.xsPid : 0;
        resolve({ startupMs: Date.now() - t0 });
      } else if (msg.op === "fatal") {
        clearTimeout(timer);
        reject(new Error(describe(`XS child failed to start: ${String(msg.error)}`)));
      } else if (typeof msg.id === "number") {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        p.resolve({ ...msg, ok: msg.ok === true });
      }
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(describe(`XS child process error: ${e.message}`)));
      failAll(`XS child process error: ${e.message}`);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const how = signal ? `signal ${signal}` : `code ${code}`;
      const message = describe(`XS child process exited (${how})`);
      // A crashed child may leave its xsnap worker running (e.g. in a runaway loop): stop it.
      if (code !== 0) killXs();
      reject(new Error(message));
      failAll(gone ?? message);
    });
  });

  const request = (message: Record<string, unknown>): Promise<Reply> => {
    if (gone) return Promise.reject(new Error(gone));
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ id, ...message }, (err) => {
        if (err && pending.delete(id)) reject(new Error(describe(`XS child unreachable: ${err.message}`)));
      });
    });
  };

  const killHard = () => {
    child.kill("SIGKILL");
    killXs();
  };

  let startupMs: number;
  try {
    ({ startupMs } = await ready);
  } catch (e) {
    killHard();
    throw e;
  }

  let closing: Promise<void> | undefined;
  const engine: XsEngine = {
    startupMs,
    pid: child.pid ?? 0,
    async evaluate(code: string): Promise<XsEvaluation> {
      if (typeof code !== "string") throw new TypeError("evaluate(code): code must be a string");
      const r = await request({ op: "evaluate", code });
      if (!r.ok) {
        if (r.dead === true) throw new Error(describe(String(r.error)));
        throw new XsError(String(r.error), strings(r.frames));
      }
      return {
        compute: Number(r.compute),
        heapCount: Number(r.heapCount),
        output: Array.isArray(r.output) ? r.output : [],
        log: strings(r.log),
      };
    },
    close(): Promise<void> {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const graceful = request({ op: "close" }).then(
            () => exited,
            () => exited,
          );
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<"timeout">((resolve) => {
            timer = setTimeout(() => resolve("timeout"), CLOSE_GRACE_MS);
          });
          const outcome = await Promise.race([graceful.then(() => "done" as const), timeout]);
          clearTimeout(timer);
          if (outcome === "timeout") {
            killHard();
            await exited;
          }
        }
        failAll("XS engine is closed");
        gone = "XS engine is closed";
      })();
      return closing;
    },
  };
  return engine;
}
