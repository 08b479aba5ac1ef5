/**
 * Build diagnostics: every message names where it came from (file:line) and,
 * where it concerns the wiring, the component instance path.
 */
import { findSourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly location?: SourceLocation;
  /** The component instance path the message is about, e.g. `BlinkAppC.TimerMilliC#0`. */
  readonly instance?: string;
}

export class BuildError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === "error").map((d) => formatDiagnostic(d)).join("\n"));
    this.name = "BuildError";
    this.diagnostics = diagnostics;
  }
}

/** `file:line:column: error: message [instance]`, the form editors and CI logs link. */
export function formatDiagnostic(d: Diagnostic, root = process.cwd()): string {
  const where = d.location ? `${relativeTo(root, d.location.file)}:${d.location.line}:${d.location.column}: ` : "";
  const inst = d.instance ? ` (in ${d.instance})` : "";
  return `${where}${d.severity}: ${d.message}${inst}`;
}

function relativeTo(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel.startsWith("..") ? file : rel;
}

interface CallSiteLike {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

// V8 builds an error's stack once; keep the call sites for later look-ups.
const sitesCache = new WeakMap<Error, CallSiteLike[]>();

function callSitesOf(error: Error): CallSiteLike[] {
  const cached = sitesCache.get(error);
  if (cached) return cached;
  const original = Error.prepareStackTrace;
  let sites: CallSiteLike[] = [];
  Error.prepareStackTrace = (_e, callSites: CallSiteLike[]) => {
    sites = callSites;
    return "";
  };
  try {
    void error.stack; // V8 formats lazily: this runs the hook once
  } finally {
    Error.prepareStackTrace = original;
  }
  sitesCache.set(error, sites);
  return sites;
}

/** Original (TypeScript) location of one generated position, through the bundle's source map. */
export function mapPosition(file: string, line: number, column: number): SourceLocation {
  const map = findSourceMap(file);
  if (map) {
    const entry = map.findEntry(line - 1, column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry && entry.originalSource !== undefined && entry.originalLine !== undefined) {
      const source = entry.originalSource.startsWith("file:")
        ? fileURLToPath(entry.originalSource)
        : path.resolve(path.dirname(file), entry.originalSource);
      return { file: source, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
    }
  }
  return { file, line, column };
}

/**
 * The first stack frame of `error` inside the elaborated bundle whose
 * original source is not one of `skip` (the authoring API, the elaborator).
 */
export function locate(error: Error, bundleFile: string, skip: (source: string) => boolean): SourceLocation | undefined {
  for (const site of callSitesOf(error)) {
    const name = site.getFileName();
    if (!name) continue;
    const file = name.startsWith("file:") ? fileURLToPath(name) : name;
    if (file !== bundleFile) continue;
    const mapped = mapPosition(file, site.getLineNumber() ?? 1, site.getColumnNumber() ?? 1);
    if (!skip(mapped.file)) return mapped;
  }
  return undefined;
}
