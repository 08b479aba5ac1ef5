/**
 * `mote build`: elaborate a configuration, check its wiring, generate the
 * glue and bundle one image file for a platform. The wiring step is an
 * esbuild plugin (`moteWiring`), so the image is one esbuild build whose
 * entry point is the generated glue.
 */
import * as esbuild from "esbuild";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { createRequire, SourceMap, type SourceMapPayload } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import type { AnyComponent } from "../../components/mote.ts";
import type { BoardDescription, PlatformDescription } from "../../platforms/PlatformDescription.ts";
import { connect } from "./connect.ts";
import { BuildError, type Diagnostic, locate, type SourceLocation } from "./diagnostics.ts";
import { elaborate, ElaborationStop, type ElaboratedGraph, type InstanceNode } from "./elaborate.ts";
import { generateGlue } from "./generate.ts";
import { inlineMessageConstants, inlineMessages, type MessageLayout } from "./messages.ts";
import { DEFAULT_DATA_LENGTH, MAX_DATA_LENGTH } from "../../components/message/Message.ts";
import { DEFAULT_FORWARD_COUNT } from "../../components/collection/Ctp.ts";
import { aliasBuiltins, specializeGenerics, unwrapForMinify } from "./constants.ts";
import { flattenInstances } from "./flatten.ts";
import { bypassForwarders } from "./forward.ts";
import { pruneUncalled } from "./prune.ts";
import { stripForImage } from "./strip.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const COMPONENTS = path.join(ROOT, "components");
const PLATFORMS = path.join(ROOT, "platforms");
const API_FILE = path.join(COMPONENTS, "mote.ts");

export interface BuildOptions {
  /** The application's top-level configuration file. */
  readonly entry: string;
  readonly platform: string;
  /** Where to write `<App>.js`; default `build/<platform>` under the current directory. */
  readonly outDir?: string;
  /** Write the image file (default true). */
  readonly write?: boolean;
  /**
   * Type-check the application's sources with tsc first (default true): the
   * type checker is what rejects a missing command or a wrong argument, so
   * an image is never built from code it rejects.
   */
  readonly typecheck?: boolean;
  /** The board (platforms that have boards); default the platform's default board. */
  readonly board?: string;
  /**
   * Every message_t's payload, TOSH_DATA_LENGTH (`mote build --data-length`):
   * over what the configuration declares (`export const TOSH_DATA_LENGTH = n;`),
   * which is over the default, 28.
   */
  readonly dataLength?: number;
}

export interface ImageBytes {
  readonly raw: number;
  readonly minified: number;
  readonly gzip: number;
}

export interface BuildReport {
  readonly app: string;
  readonly platform: string;
  readonly entry: string;
  /** Where the image was written (undefined with write: false). */
  readonly imageFile: string | undefined;
  /** The minified image, as written. */
  readonly image: string;
  readonly bytes: ImageBytes;
  readonly instances: { readonly modules: number; readonly configurations: number };
  readonly tasks: number;
  readonly timers: number;
  /** Typed arrays the image allocates while it starts (host-driven platforms; undefined elsewhere). */
  readonly staticBuffers: { readonly count: number; readonly bytes: number } | undefined;
  readonly warnings: readonly Diagnostic[];
  readonly board: string | undefined;
  /** Files of a project the platform's own tools build from (e.g. Moddable's manifest.json, main.js). */
  readonly projectFiles: readonly string[];
  /** Platform-specific figures from its image check (e.g. estimated JsVars at boot). */
  readonly figures: Readonly<Record<string, number>>;
  /** Commands and events no code calls, left out of the image (`Module.slot.function`). */
  readonly prunedFunctions: readonly string[];
  /** Pass-through interfaces whose callers were bound past them (`Module.Interface`, forward.ts). */
  readonly bypassedInterfaces: readonly string[];
  /** Debug interfaces whose `dbg` calls were taken out, arguments and all (`Module.Slot`). */
  readonly silencedDebug: readonly string[];
  /** Module instances run in the factory's own scope (board images, flatten.ts), or why none were. */
  readonly flattened: { readonly instances: number; readonly reason?: string };
  /** The payload of every message_t in the image (TOSH_DATA_LENGTH). */
  readonly dataLength: number;
  /** Every build-time size (BUILD_SIZES) the image was built with, and who set it. */
  readonly sizes: readonly BuildSizeSetting[];
  readonly elapsedMs: number;
  readonly graph: ElaboratedGraph;
}

export function knownPlatforms(): string[] {
  return readdirSync(PLATFORMS)
    .filter((name) => existsSync(path.join(PLATFORMS, name, "platform.ts")))
    .sort();
}

export async function loadPlatform(name: string): Promise<PlatformDescription> {
  const known = knownPlatforms();
  if (!known.includes(name)) {
    throw new BuildError([
      { severity: "error", message: `unknown platform \`${name}'; known platforms: ${known.join(", ")}` },
    ]);
  }
  const mod = (await import(pathToFileURL(path.join(PLATFORMS, name, "platform.ts")).href)) as {
    description: PlatformDescription;
  };
  return mod.description;
}

/** Component names a user might have meant, for "unknown component". */
export function knownComponents(platform: string): string[] {
  const names = new Set<string>();
  const scan = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (entry !== "interfaces") scan(full);
      } else if (/^[A-Z]\w*(C|P)\.ts$/.test(entry)) names.add(entry.slice(0, -3));
    }
  };
  scan(COMPONENTS);
  scan(path.join(PLATFORMS, platform));
  scan(path.join(ROOT, "configurations"));
  return [...names].sort();
}

const platformResolver = (platform: string): esbuild.Plugin => ({
  name: "mote-platform",
  setup(build) {
    build.onResolve({ filter: /^#platform$/ }, () => ({ path: path.join(PLATFORMS, platform, "index.ts") }));
  },
});

function esbuildDiagnostics(messages: readonly esbuild.Message[], severity: "error" | "warning"): Diagnostic[] {
  return messages.map((m) => ({
    severity,
    message: m.text,
    location: m.location
      ? { file: path.resolve(ROOT, m.location.file), line: m.location.line, column: m.location.column + 1 }
      : undefined,
  }));
}

let elaborationCounter = 0;

interface Elaborated {
  readonly graph: ElaboratedGraph;
  readonly appName: string;
  readonly rootComponent: AnyComponent;
}

/** Where the value of a declaration matched as `export const NAME = (value)` starts in `text`. */
function declaredValueAt(file: string, text: string, m: RegExpExecArray): SourceLocation {
  const before = text.slice(0, m.index + m[0].length - m[1]!.length);
  return { file, line: before.split("\n").length, column: before.length - before.lastIndexOf("\n") };
}

/** `export const NAME = value` in a configuration's text (the value as written, up to `;` or the line's end). */
function declarationOf(text: string, name: string): RegExpExecArray | null {
  return new RegExp(`^export\\s+const\\s+${name}\\b[^=\\n]*=\\s*([^;\\n]*)`, "m").exec(text);
}


/**
 * A configuration's `export const NAME = n;`: the number, where it is and
 * "set in File.ts:line"; refused unless a whole number written out (the
 * build reads it before running anything).
 */
function declaredNumber(entry: string, text: string, name: string): { value: number; source: string; location: SourceLocation } | undefined {
  const m = declarationOf(text, name);
  if (!m) return undefined;
  const location = declaredValueAt(entry, text, m);
  const written = m[1]!.trim();
  if (!/^\d+$/.test(written)) {
    throw new BuildError([
      { severity: "error", message: `${name} must be a whole number written out (the build reads it before running anything), got \`${written}'`, location },
    ]);
  }
  return { value: Number(written), source: `set in ${path.basename(entry)}:${location.line}`, location };
}

/**
 * The message_t layout an application is built with: its payload length
 * (`dataLength`, else the configuration's declaration, else 28) and the
 * platform's footer, as the defines Message.ts reads. The declaration is
 * read from the source, not run: the length must be known before anything
 * is bundled, so it is a number literal.
 */
export function messageBufferLayout(entry: string, platform: PlatformDescription, dataLength?: number): MessageLayout {
  let value = DEFAULT_DATA_LENGTH;
  let source = "the default";
  let location: SourceLocation | undefined;
  if (dataLength !== undefined) {
    value = dataLength;
    source = "set by --data-length";
  } else {
    // `export const TOSH_DATA_LENGTH = 114;` (TinyOS: `CFLAGS += -DTOSH_DATA_LENGTH=114` in the Makefile).
    const declared = declaredNumber(entry, readFileSync(entry, "utf8"), "TOSH_DATA_LENGTH");
    if (declared) ({ value, source, location } = declared);
  }
  if (!Number.isInteger(value) || value < 1 || value > MAX_DATA_LENGTH) {
    throw new BuildError([
      {
        severity: "error",
        message: `TOSH_DATA_LENGTH ${value} (${source}) must be 1..${MAX_DATA_LENGTH}: one serial frame (SERIAL_MTU 255 bytes) carries at most ${MAX_DATA_LENGTH} payload bytes after its dispatch byte, AM header and CRC`,
        location,
      },
    ]);
  }
  const footer = platform.messageFooterSize ?? 0;
  return {
    dataLength: value,
    dataLengthSource: source,
    define: { MOTE_TOSH_DATA_LENGTH: String(value), MOTE_MESSAGE_FOOTER_SIZE: String(footer) },
  };
}

/**
 * TinyOS's radio flags, which an application sets in its Makefile
 * (apps/BaseStation: `CFLAGS += -DCC2420_NO_ACKNOWLEDGEMENTS
 * -DCC2420_NO_ADDRESS_RECOGNITION`), declared in the configuration as
 * `export const CC2420_NO_ADDRESS_RECOGNITION = true;`.
 */
export const RADIO_FLAGS = ["CC2420_NO_ADDRESS_RECOGNITION", "CC2420_NO_ACKNOWLEDGEMENTS"] as const;

/**
 * The defines for RADIO_FLAGS: `MOTE_<flag>`, "true" where the configuration
 * declares it true, else "false" (so a radio HAL's check folds away). Read
 * from the source, as TOSH_DATA_LENGTH is, so a literal `true` or `false`.
 */
export function radioFlagDefines(entry: string): Record<string, string> {
  const text = readFileSync(entry, "utf8");
  const define: Record<string, string> = {};
  for (const flag of RADIO_FLAGS) {
    const m = declarationOf(text, flag);
    const value = m ? m[1]!.trim() : "false";
    if (value !== "true" && value !== "false") {
      throw new BuildError([
        {
          severity: "error",
          message: `${flag} must be \`true' or \`false' written out (the build reads it before running anything), got \`${value}'`,
          location: declaredValueAt(entry, text, m!),
        },
      ]);
    }
    define[`MOTE_${flag}`] = value;
  }
  return define;
}

/** A size the build sets: its default (the component's own), its bounds, and what it sizes. */
export interface BuildSize {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly what: string;
}

/**
 * Sizes (and small settings, such as which LEDs are active-low) a
 * configuration or a board may set at build time, as TinyOS's
 * `#ifndef FORWARD_COUNT #define FORWARD_COUNT 12` in a component, which an
 * application's Makefile (`CFLAGS += -DFORWARD_COUNT=4`) or a small
 * platform lowers. The build defines MOTE_<name>, which the component reads.
 */
export const BUILD_SIZES: Readonly<Record<string, BuildSize>> = {
  FORWARD_COUNT: {
    default: DEFAULT_FORWARD_COUNT,
    min: 1,
    // The forwarding queue's capacity, FORWARD_COUNT plus the clients, is a uint8_t in TinyOS's CtpP.
    max: 200,
    what: "the number of CTP's forwarding buffers (CtpP)",
  },
  LEDS_ACTIVE_LOW: {
    default: 0,
    min: 0,
    max: 7,
    what: "the LEDs lit by a low pin, a bit mask (1 = LED0, 2 = LED1, 4 = LED2; EspruinoLedsP)",
  },
};

/** One build-time size as an image was built: its value and who set it. */
export interface BuildSizeSetting {
  readonly name: string;
  readonly value: number;
  readonly default: number;
  /** "the default", "board puckjs", or "set in App.ts:12". */
  readonly source: string;
}

/**
 * The value of each BUILD_SIZES entry: the configuration's `export const
 * NAME = n;` (read from the source, as TOSH_DATA_LENGTH is, so a number
 * literal), else the board's `defines`, else the default.
 */
export function buildSizes(entry: string, board: BoardDescription | undefined): { define: Record<string, string>; sizes: BuildSizeSetting[] } {
  const text = readFileSync(entry, "utf8");
  const boardDefines = board?.defines ?? {};
  for (const name of Object.keys(boardDefines)) {
    if (!(name in BUILD_SIZES)) {
      throw new BuildError([
        { severity: "error", message: `board ${board!.name} sets \`${name}', which no build size is; known: ${Object.keys(BUILD_SIZES).join(", ")}` },
      ]);
    }
  }
  const define: Record<string, string> = {};
  const sizes: BuildSizeSetting[] = [];
  for (const [name, size] of Object.entries(BUILD_SIZES)) {
    let value = size.default;
    let source = "the default";
    let location: SourceLocation | undefined;
    const declared = declaredNumber(entry, text, name);
    if (declared) ({ value, source, location } = declared);
    else if (boardDefines[name] !== undefined) {
      value = boardDefines[name];
      source = `board ${board!.name}`;
    }
    if (!Number.isInteger(value) || value < size.min || value > size.max) {
      throw new BuildError([
        { severity: "error", message: `${name} ${value} (${source}) must be ${size.min}..${size.max}: ${size.what}`, location },
      ]);
    }
    define[`MOTE_${name}`] = String(value);
    sizes.push({ name, value, default: size.default, source });
  }
  return { define, sizes };
}

/** Bundles the configuration for Node, runs it, and returns the elaborated graph. */
async function elaborateEntry(entry: string, platform: string, define: Readonly<Record<string, string>> = {}): Promise<Elaborated> {
  const kernelDir = path.join(COMPONENTS, "kernel");
  const appName = path.basename(entry).replace(/\.[cm]?[jt]s$/, "");
  const stdin = [
    `export * as app from ${JSON.stringify(entry)};`,
    `export { MainC } from ${JSON.stringify(path.join(kernelDir, "MainC.ts"))};`,
    `export { TinySchedulerC } from ${JSON.stringify(path.join(kernelDir, "TinySchedulerC.ts"))};`,
  ].join("\n");
  const outfile = path.join(tmpdir(), `mote-elaborate-${process.pid}-${++elaborationCounter}.cjs`);
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = await esbuild.build({
      stdin: { contents: stdin, resolveDir: ROOT, sourcefile: "mote-elaborate-entry.ts", loader: "ts" },
      absWorkingDir: ROOT,
      bundle: true,
      // CommonJS loaded with Node's own require, so Node (not a test runner's loader) maps stack traces.
      format: "cjs",
      platform: "node",
      target: "node20",
      sourcemap: "inline",
      sourcesContent: false,
      outfile,
      write: false,
      logLevel: "silent",
      // The application's message layout, so declarations are checked against its payload.
      define: { ...define },
      plugins: [platformResolver(platform)],
    });
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    if (failure.errors) throw new BuildError(esbuildDiagnostics(failure.errors, "error"));
    throw e;
  }
  writeFileSync(outfile, result.outputFiles[0]!.text);
  process.setSourceMapsEnabled(true);
  let exports: { app: Record<string, unknown>; MainC: AnyComponent; TinySchedulerC: AnyComponent };
  try {
    exports = createRequire(import.meta.url)(outfile) as typeof exports;
  } catch (e) {
    const err = e as Error;
    rmSync(outfile, { force: true });
    throw new BuildError([
      { severity: "error", message: `loading ${path.relative(process.cwd(), entry)} failed: ${err.message}`, location: locate(err, outfile, () => false) },
    ]);
  }
  const skip = (source: string) => source === API_FILE || source.startsWith(path.join(ROOT, "tools"));
  const locator = (error: Error): SourceLocation | undefined => locate(error, outfile, skip);

  const root = exports.app[appName] ?? soleComponent(exports.app);
  if (root === undefined) {
    rmSync(outfile, { force: true });
    throw new BuildError([
      {
        severity: "error",
        message: `${path.relative(process.cwd(), entry)} must export its configuration as \`${appName}' (one component per file, named after it); it exports ${Object.keys(exports.app).join(", ") || "nothing"}`,
        location: { file: entry, line: 1, column: 1 },
      },
    ]);
  }
  try {
    const graph = elaborate(root, { MainC: exports.MainC, TinySchedulerC: exports.TinySchedulerC }, locator, () =>
      knownComponents(platform),
    );
    return { graph, appName, rootComponent: root as AnyComponent };
  } catch (e) {
    if (e instanceof ElaborationStop) throw new BuildError([e.diagnostic]);
    const err = e as Error;
    throw new BuildError([
      { severity: "error", message: `elaborating ${appName} failed: ${err.message}`, location: locator(err) },
    ]);
  } finally {
    rmSync(outfile, { force: true });
  }
}

function soleComponent(exports: Record<string, unknown>): unknown {
  const components = Object.values(exports).filter(
    (v) => typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "configuration",
  );
  return components.length === 1 ? components[0] : undefined;
}

/** Module name -> the file that defines it: one component per file, named after it. */
function moduleSource(instance: InstanceNode): { file: string; exportName: string } {
  const file = instance.definedAt?.file;
  if (!file) throw new BuildError([{ severity: "error", message: `cannot tell which file defines module \`${instance.component.name}'` }]);
  return { file, exportName: instance.component.name };
}

export interface WiringResult {
  glue: string;
  graph: ElaboratedGraph;
  appName: string;
  diagnostics: Diagnostic[];
  moduleInstances: number;
  configurations: number;
  tasks: number;
}

/** The esbuild plugin: resolves `#platform`, turns the app entry into glue, strips descriptors. */
export function moteWiring(options: {
  platform: string;
  hostDriven?: boolean;
  onWired: (result: WiringResult) => void;
  /** Filled with the field names of the typed messages laid out for the image. */
  messageFields?: Set<string>;
  /** The application's payload length and footer (messageBufferLayout). */
  layout?: MessageLayout;
}): esbuild.Plugin {
  return {
    name: "mote-wiring",
    setup(build) {
      build.onResolve({ filter: /^#platform$/ }, () => ({ path: path.join(PLATFORMS, options.platform, "index.ts") }));
      build.onResolve({ filter: /^mote-app:/ }, (args) => ({ path: args.path.slice("mote-app:".length), namespace: "mote-app" }));
      build.onLoad({ filter: /.*/, namespace: "mote-app" }, async (args) => {
        const { graph, appName } = await elaborateEntry(args.path, options.platform, options.layout?.define);
        const diagnostics: Diagnostic[] = [...graph.diagnostics];
        for (const n of graph.instances) {
          if (n.kind === "module" && n.definedAt && path.basename(n.definedAt.file).replace(/\.ts$/, "") !== n.component.name) {
            diagnostics.push({
              severity: "error",
              message: `module \`${n.component.name}' is defined in ${path.basename(n.definedAt.file)}; one component per file, named after it (${n.component.name}.ts)`,
              location: n.definedAt,
              instance: n.path,
            });
          }
        }
        const connected = connect(graph);
        diagnostics.push(...connected.diagnostics);
        if (diagnostics.some((d) => d.severity === "error")) throw new BuildError(diagnostics);
        const glue = generateGlue(graph, connected, moduleSource, { host: options.hostDriven !== false });
        diagnostics.push(...glue.diagnostics);
        if (diagnostics.some((d) => d.severity === "error")) throw new BuildError(diagnostics);
        options.onWired({
          glue: glue.source,
          graph,
          appName,
          diagnostics,
          moduleInstances: glue.moduleInstances,
          configurations: graph.instances.filter((n) => n.kind === "configuration").length,
          tasks: glue.tasks,
        });
        return { contents: glue.source, loader: "js", resolveDir: ROOT };
      });
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = readFileSync(args.path, "utf8");
        return { contents: stripForImage(await inlineMessages(args.path, source, options.messageFields, options.layout)), loader: "ts" };
      });
    },
  };
}

/** Bundles the glue into the image text (`var mote; ...` defining the factory). */
async function bundleImage(entry: string, platform: PlatformDescription, layout: MessageLayout, onWired: (r: WiringResult) => void) {
  const messageFields = new Set<string>();
  // A host-driven image defines the factory for its host to call; a board's image starts its one mote.
  const start = platform.hostDriven ? "globalThis.mote = mote;" : "mote();";
  try {
    const result = await esbuild.build({
      stdin: {
        contents: `import mote from ${JSON.stringify(`mote-app:${entry}`)};\n${start}\n`,
        resolveDir: ROOT,
        sourcefile: "mote-image.js",
        loader: "js",
      },
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      outfile: path.join(ROOT, "build", "image.js"), // names the source map; nothing is written
      sourcemap: "external",
      sourcesContent: false,
      format: "iife",
      target: [...platform.target],
      supported: platform.supported ? { ...platform.supported } : undefined,
      treeShaking: true,
      // Folds and inlines constants across modules (SUCCESS, header offsets...) before pruning and minifying.
      minifySyntax: true,
      legalComments: "none",
      charset: "utf8",
      logLevel: "silent",
      define: { ...layout.define },
      plugins: [moteWiring({ platform: platform.name, hostDriven: platform.hostDriven === true, onWired, messageFields, layout })],
    });
    const text = result.outputFiles.find((f) => f.path.endsWith(".js"))!.text;
    const map = result.outputFiles.find((f) => f.path.endsWith(".map"))!.text;
    return { text, map, messageFields, warnings: esbuildDiagnostics(result.warnings, "warning") };
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    const inner = failure.errors?.map((m) => m.detail).find((d) => d instanceof BuildError);
    if (inner instanceof BuildError) throw inner;
    if (failure.errors) throw new BuildError(esbuildDiagnostics(failure.errors, "error"));
    throw e;
  }
}

export async function build(options: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  const platform = await loadPlatform(options.platform);
  const entry = path.resolve(options.entry);
  if (!existsSync(entry)) {
    throw new BuildError([{ severity: "error", message: `no such configuration file: ${options.entry}` }]);
  }
  const board = boardOf(platform, options.board);
  const messageLayout = messageBufferLayout(entry, platform, options.dataLength);
  const sized = buildSizes(entry, board);
  const layout: MessageLayout = { ...messageLayout, define: { ...messageLayout.define, ...radioFlagDefines(entry), ...sized.define } };
  // tsc runs in its own process while esbuild elaborates and bundles.
  const typeErrors = options.typecheck === false ? Promise.resolve([]) : typecheck(entry);
  let wired: WiringResult | undefined;
  let bundled: Awaited<ReturnType<typeof bundleImage>>;
  try {
    bundled = await bundleImage(entry, platform, layout, (r) => {
      wired = r;
    });
  } catch (e) {
    // Type errors explain most wiring failures better than the wiring does: report them first.
    const types = await typeErrors;
    if (types.length > 0) throw new BuildError([...types, ...(e instanceof BuildError ? e.diagnostics : [])]);
    throw e;
  }
  const types = await typeErrors;
  if (types.length > 0) throw new BuildError(types);
  if (!wired) throw new Error("internal: the wiring plugin did not run");
  const w: WiringResult = wired;
  const slotsByModule = new Map<string, Map<string, string>>();
  for (const n of w.graph.instances) {
    if (n.kind !== "module") continue;
    const slots = slotsByModule.get(n.component.name) ?? new Map<string, string>();
    for (const slot of n.slots.values()) slots.set(slot.task ? "tasks" : slot.name, slot.iface.name);
    slotsByModule.set(n.component.name, slots);
  }
  const direct = bypassForwarders(bundled.text, slotsByModule);
  const pruned = pruneUncalled(inlineMessageConstants(direct.code), slotsByModule);
  // A board starts one mote: its instances can live in the factory's own scope (see flatten.ts).
  const flat = platform.hostDriven
    ? { code: pruned.code, instances: 0, reason: "a host-driven platform starts several motes from one image" }
    : flattenInstances(pruned.code, new Set(slotsByModule.keys()));
  const unwrapped = unwrapForMinify(specializeGenerics(flat.code, new Set(slotsByModule.keys())));
  const minified = await esbuild.transform(unwrapped.unwrapped ? aliasBuiltins(unwrapped.code) : unwrapped.code, {
    minify: true,
    format: unwrapped.unwrapped ? "iife" : undefined,
    ...shortNames(w.graph, platform, bundled.messageFields),
    target: [...platform.target],
    supported: platform.supported ? { ...platform.supported } : undefined,
    legalComments: "none",
    charset: "utf8",
  });
  const image = `${minified.code.trimEnd()}\n${platform.start}`;
  const rawImage = `${pruned.code}${platform.start}`;
  const staticBuffers = platform.hostDriven ? measureStaticBuffers(image) : undefined;
  let figures: Readonly<Record<string, number>> = {};
  if (platform.checkImage) {
    const sourceMap = new SourceMap(JSON.parse(bundled.map) as SourceMapPayload);
    const mapDir = path.join(ROOT, "build");
    const checked = platform.checkImage({
      code: bundled.text,
      image,
      modules: w.moduleInstances,
      board,
      locate: (line, column) => {
        const entry = sourceMap.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
        if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
        const file = entry.originalSource.startsWith("file:") ? fileURLToPath(entry.originalSource) : path.resolve(mapDir, entry.originalSource);
        return { file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
      },
    });
    if (checked.diagnostics.some((d) => d.severity === "error")) throw new BuildError([...checked.diagnostics]);
    w.diagnostics.push(...checked.diagnostics);
    figures = checked.figures ?? {};
  }
  // Written only now that every check has passed: a refused build leaves no image behind.
  let imageFile: string | undefined;
  let projectFiles: readonly string[] = [];
  if (options.write !== false) {
    const outDir = path.resolve(options.outDir ?? path.join("build", platform.name));
    mkdirSync(outDir, { recursive: true });
    imageFile = path.join(outDir, `${w.appName}.js`);
    writeFileSync(imageFile, image);
    projectFiles = platform.writeProject?.({ outDir, app: w.appName, imageFile, image, board }) ?? [];
  }
  return {
    app: w.appName,
    platform: platform.name,
    entry,
    imageFile,
    image,
    bytes: {
      raw: Buffer.byteLength(rawImage),
      minified: Buffer.byteLength(image),
      gzip: gzipSync(image, { level: 9 }).length,
    },
    instances: { modules: w.moduleInstances, configurations: w.configurations },
    tasks: w.tasks,
    timers: w.graph.uniqueCounts.get("TimerMilliC.Timer") ?? 0,
    staticBuffers,
    board: board?.name,
    figures,
    projectFiles,
    warnings: [...w.diagnostics.filter((d) => d.severity === "warning"), ...bundled.warnings],
    prunedFunctions: pruned.removed,
    bypassedInterfaces: direct.bypassed,
    silencedDebug: direct.silencedDebug,
    flattened: { instances: flat.instances, ...(flat.reason === undefined ? {} : { reason: flat.reason }) },
    dataLength: layout.dataLength,
    sizes: sized.sizes,
    elapsedMs: performance.now() - started,
    graph: w.graph,
  };
}

function boardOf(platform: PlatformDescription, name: string | undefined): BoardDescription | undefined {
  const boards = platform.boards ?? {};
  const chosen = name ?? platform.defaultBoard;
  if (chosen === undefined) return undefined;
  const board = boards[chosen];
  if (!board) {
    const known = Object.keys(boards);
    throw new BuildError([
      {
        severity: "error",
        message: known.length
          ? `unknown board \`${chosen}' for platform ${platform.name}; known boards: ${known.join(", ")}`
          : `platform ${platform.name} has no boards; leave out --board`,
      },
    ]);
  }
  return board;
}

/**
 * Runs tsc (TypeScript's own checker) over the entry and everything it
 * imports, with the project's compiler options, and returns its errors.
 */
async function typecheck(entry: string): Promise<Diagnostic[]> {
  const tsc = path.join(ROOT, "node_modules", ".bin", "tsc");
  if (!existsSync(tsc)) {
    return [{ severity: "error", message: `cannot type-check: no tsc at ${tsc} (run npm install, or build with typecheck off)` }];
  }
  // Inside the project, so tsc finds its type packages (`types: ["node"]`) as for the project itself.
  const cache = path.join(ROOT, "node_modules", ".cache", "mote");
  mkdirSync(cache, { recursive: true });
  const config = path.join(cache, `typecheck-${process.pid}-${++elaborationCounter}.json`);
  writeFileSync(config, JSON.stringify({ extends: path.join(ROOT, "tsconfig.json"), files: [entry], include: [] }));
  try {
    const { stdout } = await new Promise<{ stdout: string }>((resolve) => {
      execFile(tsc, ["--noEmit", "--pretty", "false", "-p", config], { cwd: ROOT, maxBuffer: 16 << 20 }, (_e, out, err) =>
        resolve({ stdout: `${out}${err}` }),
      );
    });
    const diagnostics: Diagnostic[] = [];
    let last: { message: string } | undefined;
    for (const line of stdout.split("\n")) {
      const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
      if (m) {
        const d = {
          severity: "error" as const,
          message: `${m[5]} (${m[4]})`,
          location: { file: path.resolve(ROOT, m[1]!), line: Number(m[2]), column: Number(m[3]) },
        };
        diagnostics.push(d);
        last = d;
      } else if (last && line.startsWith("  ")) {
        last.message += `\n   ${line.trim()}`; // tsc's elaboration of the error, e.g. which property is missing
      } else if (/error TS\d+/.test(line)) {
        diagnostics.push({ severity: "error", message: line.trim() });
      }
    }
    return diagnostics;
  } finally {
    rmSync(config, { force: true });
  }
}

/**
 * Interface, slot and function names are the image's own: the build renames
 * them to short ones (esbuild's property mangling), except names that also
 * belong to the JavaScript built-ins or to the platform's host objects.
 */
function shortNames(graph: ElaboratedGraph, platform: PlatformDescription, messageFields: ReadonlySet<string>): { mangleProps?: RegExp; reserveProps?: RegExp } {
  // Besides interfaces: the glue's own names, message_t's fields (components/message/Message.ts)
  // and typed messages' fields (their accessors), which only image code reads.
  const names = new Set<string>(["tasks", "defaults", "post", "bytes", "data", "metadataOffset", ...messageFields]);
  for (const n of graph.instances) {
    for (const slot of n.slots.values()) {
      names.add(slot.task ?? slot.name);
      for (const f of Object.keys(slot.iface.commands)) names.add(f);
      for (const f of Object.keys(slot.iface.events)) names.add(f);
    }
  }
  const reserved = new Set<string>(platform.hostProperties);
  for (const value of [globalThis, ...builtinPrototypes()]) {
    for (let o: object | null = value; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const k of Object.getOwnPropertyNames(o)) reserved.add(k);
    }
  }
  for (const k of Object.getOwnPropertyNames(Object.prototype)) reserved.add(k);
  const mangled = [...names].filter((n) => !reserved.has(n) && /^[A-Za-z_$][\w$]*$/.test(n));
  if (mangled.length === 0) return {};
  const quote = (xs: Iterable<string>) => [...xs].map((x) => x.replace(/\$/g, "\\$")).join("|");
  return { mangleProps: new RegExp(`^(?:${quote(mangled)})$`), reserveProps: new RegExp(`^(?:${quote(reserved)})$`) };
}

function builtinPrototypes(): object[] {
  const typed = Object.getPrototypeOf(Uint8Array.prototype) as object;
  return [
    Object, Function.prototype, Array, Array.prototype, String, String.prototype, Number, Number.prototype,
    Boolean.prototype, Symbol.prototype, Math, JSON, Reflect, Promise, Promise.prototype, Date, Date.prototype,
    RegExp.prototype, Error.prototype, Map.prototype, Set.prototype, WeakMap.prototype, DataView.prototype,
    ArrayBuffer.prototype, typed, Uint8Array, BigInt.prototype,
  ];
}

/** Starts the image once against an inert host and counts the typed arrays it allocates. */
function measureStaticBuffers(image: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  const counting = <T extends new (n: number) => ArrayBufferView>(Base: T, width: number) =>
    new Proxy(Base, {
      construct(target, args: unknown[]) {
        count++;
        const n = typeof args[0] === "number" ? args[0] : 0;
        bytes += n * width;
        return Reflect.construct(target, args) as object;
      },
    });
  const factory = new Function(
    "Uint8Array",
    "Uint16Array",
    "Uint32Array",
    "Int8Array",
    "Int16Array",
    "Int32Array",
    "Float32Array",
    "Float64Array",
    "globalThis",
    `${image}\nreturn globalThis.mote;`,
  ) as (...a: unknown[]) => (host: unknown) => void;
  const sandboxGlobal: Record<string, unknown> = {};
  const mote = factory(
    counting(Uint8Array, 1),
    counting(Uint16Array, 2),
    counting(Uint32Array, 4),
    counting(Int8Array, 1),
    counting(Int16Array, 2),
    counting(Int32Array, 4),
    counting(Float32Array, 4),
    counting(Float64Array, 8),
    sandboxGlobal,
  );
  const inert = {
    nodeId: 1,
    now: () => 0,
    onAlarm: () => {},
    startAlarmAt: () => {},
    stopAlarm: () => {},
    alarmRunning: () => false,
    alarmTime: () => 0,
    radioPower: () => {},
    radioSend: () => {},
    radioCancel: () => false,
    onRadioSendDone: () => {},
    onRadioReceive: () => {},
    uartSend: () => {},
    onUartSendDone: () => {},
    onUartReceive: () => {},
    readSensor: () => 0,
    setLed: () => {},
    sleep: () => {},
    debug: () => {},
  };
  mote(inert);
  return { count, bytes };
}
