// A Node module loader hook that compiles .ts files with esbuild as they load.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { stop, transform } from "esbuild";

/**
 * esbuild's API keeps a child process running, which pings this thread every
 * second for as long as it lives. A program that has finished loading (a base
 * station running for weeks) needs neither: so the child is stopped once no
 * module has loaded for this long, and esbuild starts a new one if a module
 * loads later (a lazily imported command, a message declarations file).
 */
const IDLE_MS = 1000;
let compiling = 0;
let idleTimer;

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !/\.[cm]?ts$/.test(new URL(url).pathname)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, "utf8");
  compiling++;
  clearTimeout(idleTimer);
  try {
    const { code } = await transform(source, {
      loader: "ts",
      format: "esm",
      target: "node20",
      sourcemap: "inline",
      sourcefile: file,
    });
    return { format: "module", source: code, shortCircuit: true };
  } finally {
    if (--compiling === 0) {
      idleTimer = setTimeout(() => void stop(), IDLE_MS);
      idleTimer.unref();
    }
  }
}
