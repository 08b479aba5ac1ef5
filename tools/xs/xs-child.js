// Child-process side of tools/xs/XsRunner.ts: hosts ONE Moddable XS worker via @agoric/xsnap.
//
// Plain JavaScript ESM on purpose: it runs under bare `node` (no TypeScript loader), and it must
// run in its own process because `@endo/init` locks down (hardens) the whole realm.
//
// Protocol (Node IPC, JSON serialization), parent -> child:
//   { id, op: "evaluate", code }   { id, op: "close" }
// child -> parent:
//   { op: "ready", xsPid, startupMs, overhead }            once, after the prelude is installed
//   { op: "fatal", error }                                  startup failed; the child then exits
//   { id, ok: true, compute, heapCount, output, log }       evaluation finished
//   { id, ok: false, error, frames?, dead? }                evaluation threw / engine died
// Options arrive as JSON in argv[2]: { meteringLimit?: number }.
import "@endo/init";
import { xsnap } from "@agoric/xsnap";
import { spawn } from "node:child_process";
import os from "node:os";

const WORKER_NAME = "mote-xs";
const PRELUDE_URL = "mote-xs-prelude";

/** @type {{ meteringLimit?: number }} */
const options = JSON.parse(process.argv[2] ?? "{}");

// Guest-side helpers, evaluated once before any user code.
//  report(value): sends JSON.stringify(value) to the host (appears in `output`).
//  print(...args): replaces xsnap's stdout print; lines appear in `log`, in order.
//  __moteRun(src): indirect-evals src (same semantics as xsnap's own evaluate) and, if it throws,
//    first sends the exception text and XS stack (with line numbers) to the host.
const PRELUDE = `(function () {
  const issue = issueCommand;
  const encoder = new TextEncoder();
  const send = function (kind, payload) {
    const bytes = encoder.encode(JSON.stringify([kind, payload]));
    issue(bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer);
  };
  const define = function (name, value) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  };
  define("report", function report(value) { send("r", value === undefined ? null : value); });
  define("print", function print(...args) { send("p", args.map(function (a) { return String(a); }).join(" ")); });
  define("__moteRun", function __moteRun(src) {
    try {
      return (0, eval)(src);
    } catch (e) {
      let text = "<unprintable exception>";
      let stack;
      try { text = String(e); } catch (_) {}
      try { if (typeof e === "object" && e !== null && typeof e.stack === "string") stack = e.stack; } catch (_) {}
      try { send("e", { text, stack }); } catch (_) {}
      throw e;
    }
  });
})();
//# sourceURL=${PRELUDE_URL}
`;

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Collector for the evaluation in flight (evaluations are serialized below). */
let current = { output: /** @type {unknown[]} */ ([]), log: /** @type {string[]} */ ([]), error: /** @type {{text: string, stack?: string} | undefined} */ (undefined) };
const resetCurrent = () => {
  const done = current;
  current = { output: [], log: [], error: undefined };
  return done;
};

/** @param {Uint8Array} bytes */
async function handleCommand(bytes) {
  try {
    const [kind, payload] = JSON.parse(decoder.decode(bytes));
    if (kind === "r") current.output.push(payload);
    else if (kind === "p") current.log.push(String(payload));
    else if (kind === "e") current.error = payload;
  } catch (e) {
    current.log.push(`[xs-child] undecodable command: ${String(e)}`);
  }
  return EMPTY;
}

// Raw stdout of the XS process (normally empty, since `print` is redirected) goes to `log`;
// its stderr is forwarded to ours, which the parent keeps for crash reports.
let stdoutRest = "";
/** @param {typeof spawn} realSpawn */
const capturingSpawn = (realSpawn) =>
  /** @type {typeof spawn} */ (
    /** @type {unknown} */ (
      (/** @type {string} */ bin, /** @type {string[]} */ args, /** @type {import("node:child_process").SpawnOptions} */ opts) => {
        const proc = realSpawn(bin, args, opts);
        xsPid = proc.pid ?? 0;
        proc.stdout?.on("data", (chunk) => {
          const lines = (stdoutRest + String(chunk)).split("\n");
          stdoutRest = lines.pop() ?? "";
          current.log.push(...lines);
        });
        proc.stderr?.on("data", (chunk) => process.stderr.write(chunk));
        return proc;
      }
    )
  );

let xsPid = 0;
/** @type {string | undefined} why the worker is gone, once it is */
let dead;
/** @type {Awaited<ReturnType<typeof xsnap>> | undefined} */
let worker;
let overhead = 0;
let evalCounter = 0;

/** @param {unknown} e */
function describeExit(e) {
  const err = /** @type {{ name?: unknown, code?: unknown, message?: unknown }} */ (e);
  let text = String(err?.message ?? e);
  if (err?.name === "ExitCode" && err.code === 17) {
    const limit = options.meteringLimit ?? 1e8;
    text += ` (compute exceeded meteringLimit ${limit}; raise it with openXs({ meteringLimit }), 0 = unlimited)`;
  }
  return `XS worker died: ${text}`;
}

const isExit = (/** @type {unknown} */ e) => {
  const name = /** @type {{ name?: unknown }} */ (e)?.name;
  return name === "ExitCode" || name === "ExitSignal";
};

/** Raw xsnap evaluate: returns meter usage, or throws. */
async function rawEvaluate(/** @type {string} */ code) {
  if (!worker) throw Error("no worker");
  const { meterUsage } = await worker.evaluate(code);
  return { compute: Number(meterUsage.compute), heapCount: Number(meterUsage.currentHeapCount) };
}

/** Wraps user code so exceptions are reported with their XS stack; names the source for locations. */
function wrap(/** @type {string} */ code, /** @type {string} */ name) {
  return `__moteRun(${JSON.stringify(`${code}\n//# sourceURL=${name}`)})`;
}

/** Drops the harness frames (__moteRun and the host's eval) from an XS stack. */
function userFrames(/** @type {string | undefined} */ stack) {
  if (!stack) return [];
  const lines = stack.split("\n").slice(1).map((l) => l.trim()).filter((l) => l.length > 0);
  let end = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^at __moteRun\b/.test(lines[i])) {
      end = i;
      break;
    }
  }
  // "at ()" is an anonymous frame without a location (e.g. the parser): no information.
  const frames = lines.slice(0, end).filter((l) => l !== "at ()");
  if (frames.length > 0 && frames[frames.length - 1] === "at eval ()") frames.pop();
  return frames;
}

async function start() {
  const t0 = Date.now();
  worker = await xsnap({
    name: WORKER_NAME,
    os: os.type(),
    spawn: capturingSpawn(spawn),
    // Only used for snapshots, which this runner does not take.
    fs: /** @type {never} */ ({}),
    stdout: "pipe",
    stderr: "pipe",
    handleCommand,
    ...(options.meteringLimit === undefined ? {} : { meteringLimit: options.meteringLimit }),
  });
  await rawEvaluate(PRELUDE);
  // Calibrate the wrapper: XsEngine.evaluate reports what xsnap's raw evaluate would report.
  const probes = ["", "for (let i = 0; i < 10; i++) {}"];
  /** @type {number[]} */
  const overheads = [];
  for (const probe of probes) {
    const raw = await rawEvaluate(probe);
    const wrapped = await rawEvaluate(wrap(probe, "mote-xs-calibration"));
    overheads.push(wrapped.compute - raw.compute);
  }
  if (overheads.some((o) => o !== overheads[0])) {
    throw Error(`xs-child: wrapper overhead is not constant (${overheads.join(", ")}); cannot report exact compute`);
  }
  overhead = overheads[0];
  resetCurrent();
  return { startupMs: Date.now() - t0 };
}

/** @param {Record<string, unknown>} msg @returns {Promise<void>} resolves once handed to the IPC channel */
function reply(msg) {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

/** @param {number} id @param {string} code */
async function evaluate(id, code) {
  if (dead) return reply({ id, ok: false, error: dead, dead: true });
  resetCurrent();
  evalCounter += 1;
  try {
    const usage = await rawEvaluate(wrap(code, `eval-${evalCounter}`));
    const done = resetCurrent();
    reply({ id, ok: true, compute: usage.compute - overhead, heapCount: usage.heapCount, output: done.output, log: done.log });
  } catch (e) {
    const done = resetCurrent();
    if (isExit(e)) {
      dead = describeExit(e);
      return reply({ id, ok: false, error: dead, dead: true, output: done.output, log: done.log });
    }
    const fallback = String(/** @type {{ message?: unknown }} */ (e)?.message ?? e).replace(/^Uncaught exception in [^:]*: /, "");
    const text = done.error?.text ?? fallback;
    reply({ id, ok: false, error: text, frames: userFrames(done.error?.stack), output: done.output, log: done.log });
  }
}

async function shutdown() {
  const w = worker;
  worker = undefined;
  dead ??= "XS engine closed";
  // terminate (SIGTERM) rather than close: close() would wait behind a runaway evaluation.
  if (w) await w.terminate().catch(() => {});
}

// Serialize everything so output is attributed to the right evaluation.
let queue = Promise.resolve();
process.on("message", (/** @type {{ id: number, op: string, code?: string }} */ msg) => {
  queue = queue.then(async () => {
    if (msg.op === "evaluate") {
      await evaluate(msg.id, String(msg.code ?? ""));
    } else if (msg.op === "close") {
      await shutdown();
      await reply({ id: msg.id, ok: true });
      process.disconnect?.();
      process.exit(0);
    } else {
      reply({ id: msg.id, ok: false, error: `xs-child: unknown op ${JSON.stringify(msg.op)}` });
    }
  });
});
// Parent went away: do not leave an XS process spinning.
process.on("disconnect", () => {
  void shutdown().then(() => process.exit(0));
});

try {
  const { startupMs } = await start();
  reply({ op: "ready", xsPid, startupMs, overhead });
} catch (e) {
  await reply({ op: "fatal", error: String(/** @type {{ stack?: unknown }} */ (e)?.stack ?? e) });
  await shutdown();
  process.exit(1);
}
