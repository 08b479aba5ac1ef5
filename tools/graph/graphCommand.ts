/**
 * `mote graph <configuration.ts> [--format dot|svg] [-o file]`: builds the
 * application (nothing written) and draws its wiring graph.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "../build/build.ts";
import { renderSvg, type SvgRenderer, toDot } from "./graph.ts";

export interface GraphArgs {
  /** The application's top-level configuration file. */
  readonly entry: string;
  /** Platform whose HAL components are wired in (default "sim"). */
  readonly platform?: string;
  /** Default: "svg" when `output` ends in `.svg`, else "dot". */
  readonly format?: "dot" | "svg";
  /** Write here instead of returning the text. */
  readonly output?: string;
  /** SVG renderer: Graphviz `dot` when on PATH, else the built-in layout ("auto", the default), or one of them. */
  readonly renderer?: "auto" | SvgRenderer;
}


/**
 * Builds `entry` and renders its wiring graph. Without `output` it returns
 * the DOT or SVG text (an SVG names its renderer in a comment); with
 * `output` it writes the file and returns a one-line report such as
 * `wrote docs/blink-wiring.svg (svg, 21 instances, 42 edges; rendered by Graphviz dot)`.
 * Build errors propagate as the build's BuildError.
 */
export async function graphCommand(args: GraphArgs): Promise<string> {
  const platform = args.platform ?? "sim";
  const format = args.format ?? (args.output && /\.svg$/i.test(args.output) ? "svg" : "dot");
  const report = await build({ entry: args.entry, platform, write: false });
  const dot = toDot(report.graph, { title: `${report.app} on ${platform}` });
  let text = dot;
  let renderer: SvgRenderer | undefined;
  if (format === "svg") {
    const result = await renderSvg(dot, { renderer: args.renderer ?? "auto" });
    text = result.svg;
    renderer = result.renderer;
  }
  if (args.output === undefined) return text;
  const file = path.resolve(args.output);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  const edges = dot.split("\n").filter((line) => /^ {2}"(?:[^"\\]|\\.)*" -> "/.test(line)).length;
  return (
    `wrote ${args.output} (${format}, ${report.graph.instances.length} instances, ${edges} edges` +
    (renderer === "graphviz"
      ? "; rendered by Graphviz dot)"
      : renderer === "builtin"
        ? `; drawn by mote's built-in layout${(args.renderer ?? "auto") === "auto" ? ", Graphviz dot is not on PATH" : ""})`
        : ")")
  );
}
