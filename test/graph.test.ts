import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, type BuildReport, ROOT } from "../tools/build/build.ts";
import type { ElaboratedGraph } from "../tools/build/elaborate.ts";
import { findDot, layoutSvg, parseDot, renderSvg, toDot } from "../tools/graph/graph.ts";
import { graphCommand } from "../tools/graph/graphCommand.ts";

const BLINK = path.join(ROOT, "configurations", "BlinkAppC.ts");

// ---------------------------------------------------------------------------
// Minimal readers, independent of the code under test.

const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
const unquote = (q: string): string => JSON.parse(q) as string;

interface DotEdgeLine {
  from: string;
  to: string;
  attrs: Record<string, string>;
}

function attrsOf(list: string | undefined): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of (list ?? "").matchAll(new RegExp(String.raw`(\w+)=(${QUOTED})`, "g"))) attrs[m[1]!] = unquote(m[2]!);
  return attrs;
}

function edgesOf(dot: string): DotEdgeLine[] {
  const re = new RegExp(String.raw`^\s*(${QUOTED})\s*->\s*(${QUOTED})\s*(\[.*\])?;$`);
  return dot.split("\n").flatMap((line) => {
    const m = re.exec(line);
    return m ? [{ from: unquote(m[1]!), to: unquote(m[2]!), attrs: attrsOf(m[3]) }] : [];
  });
}

function nodesOf(dot: string): Map<string, Record<string, string>> {
  const re = new RegExp(String.raw`^\s*(${QUOTED})\s*(\[.*\])?;$`);
  const nodes = new Map<string, Record<string, string>>();
  for (const line of dot.split("\n")) {
    const m = re.exec(line);
    if (m) nodes.set(unquote(m[1]!), attrsOf(m[2]));
  }
  return nodes;
}

/** Braces outside quoted strings balance and never go negative. */
function bracesBalance(dot: string): boolean {
  let depth = 0;
  const outside = dot.replace(new RegExp(QUOTED, "g"), '""').replace(/\/\/.*$/gm, "");
  for (const ch of outside) {
    if (ch === "{") depth++;
    if (ch === "}" && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * Well-formed enough: one root element, every tag closed in order, attribute
 * values quoted, no stray `<` or bare `&` in text.
 */
function checkXml(text: string): { ok: true; elements: number } | { ok: false; why: string } {
  let rest = text
    .replace(/^\uFEFF?<\?xml[^?]*\?>/, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>/g, "")
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "");
  const stack: string[] = [];
  let elements = 0;
  let roots = 0;
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  let i = 0;
  while (i < rest.length) {
    const lt = rest.indexOf("<", i);
    const chunk = rest.slice(i, lt < 0 ? rest.length : lt);
    if (/&(?!(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);)/.test(chunk)) return { ok: false, why: `bare & in ${JSON.stringify(chunk)}` };
    if (stack.length === 0 && chunk.trim()) return { ok: false, why: `text outside the root: ${JSON.stringify(chunk)}` };
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(rest);
    if (!m) return { ok: false, why: `bad tag at ${JSON.stringify(rest.slice(lt, lt + 60))}` };
    const [, close, name, , selfClose] = m;
    if (close) {
      if (stack.pop() !== name) return { ok: false, why: `</${name}> closes the wrong element` };
    } else {
      elements++;
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name!);
    }
    i = tag.lastIndex;
  }
  rest = "";
  if (stack.length) return { ok: false, why: `unclosed <${stack.join("> <")}>` };
  if (roots !== 1) return { ok: false, why: `${roots} root elements` };
  return { ok: true, elements };
}

// ---------------------------------------------------------------------------

describe("mote graph: BlinkAppC's wiring as DOT", () => {
  let report: BuildReport;
  let graph: ElaboratedGraph;
  let dot: string;
  beforeAll(async () => {
    report = await build({ entry: BLINK, platform: "sim", write: false });
    graph = report.graph;
    dot = toDot(graph, { title: "BlinkAppC on sim" });
  });

  it("parses: braces balance, every edge end is a declared node, the built-in reader agrees", () => {
    expect(dot.startsWith("// mote graph")).toBe(true);
    expect(bracesBalance(dot)).toBe(true);
    const nodes = nodesOf(dot);
    const edges = edgesOf(dot);
    expect(edges.length).toBeGreaterThan(10);
    for (const e of edges) {
      expect(nodes.has(e.from), `edge from undeclared ${e.from}`).toBe(true);
      expect(nodes.has(e.to), `edge to undeclared ${e.to}`).toBe(true);
    }
    const parsed = parseDot(dot);
    expect(parsed.directed).toBe(true);
    expect(parsed.nodes.size).toBe(nodes.size);
    expect(parsed.edges.length).toBe(edges.length);
  });

  it("draws every module instance as a box and every configuration as a cluster", () => {
    const nodes = nodesOf(dot);
    for (const n of graph.instances) {
      if (n.kind === "module") {
        expect(nodes.has(n.path), n.path).toBe(true);
        expect(nodes.get(n.path)!.shape ?? "box").toBe("box");
      } else {
        expect(dot).toContain(`subgraph cluster_${n.id} {`);
        expect(dot).toContain(`configuration ${n.path}"`);
      }
    }
    // Generic instances sit in the configuration that created them.
    const timers = graph.instances.filter((n) => n.component.name === "TimerMilliC");
    const root = graph.instances[graph.root]!;
    const rootCluster = dot.slice(dot.indexOf(`subgraph cluster_${root.id} {`));
    for (const t of timers) expect(rootCluster).toContain(`subgraph cluster_${t.id} {`);
  });

  it("wires BlinkC's three timers, each to its own TimerMilliC, labelled with its name and interface", () => {
    const timers = graph.instances.filter((n) => n.component.name === "TimerMilliC");
    expect(timers).toHaveLength(3);
    const fromBlink = edgesOf(dot).filter((e) => e.from === "BlinkC" && /^Timer\d: Timer$/.test(e.attrs.label ?? ""));
    expect(fromBlink.map((e) => e.attrs.label).sort()).toEqual(["Timer0: Timer", "Timer1: Timer", "Timer2: Timer"]);
    expect(fromBlink.map((e) => e.to).sort()).toEqual(timers.map((t) => `${t.path}.Timer`).sort());
    expect(fromBlink.map((e) => e.attrs.tooltip!.split(" ")[0]).sort()).toEqual(["BlinkC.Timer0", "BlinkC.Timer1", "BlinkC.Timer2"]);
    for (const e of fromBlink) expect(e.attrs.style).toBeUndefined();
  });

  it("shows the parameterized indexes [0], [1], [2] of the shared timer", () => {
    const labels = edgesOf(dot).map((e) => e.attrs.label ?? "");
    for (const i of [0, 1, 2]) expect(labels).toContain(`Timer[${i}]`);
    expect(labels).toContain("Timer[*]");
  });

  it("draws equates dashed and wires solid, one edge each; tasks fold to dotted edges", async () => {
    // An application whose modules post tasks.
    const probe = await build({ entry: path.join(ROOT, "test/fixtures/apps/SchedulerProbeAppC.ts"), platform: "sim", write: false });
    const graph = probe.graph;
    const edges = edgesOf(toDot(graph));
    const equates = graph.wires.filter((w) => w.kind === "equate");
    const taskWires = graph.wires.filter((w) => graph.instances[w.from.instance]!.slots.get(w.from.slot)?.task);
    const plainWires = graph.wires.filter((w) => w.kind === "wire" && !taskWires.includes(w));
    expect(equates.length).toBeGreaterThan(5);
    expect(edges.filter((e) => e.attrs.style === "dashed")).toHaveLength(equates.length);
    expect(edges.filter((e) => e.attrs.style === undefined)).toHaveLength(plainWires.length);
    for (const e of edges.filter((x) => x.attrs.style === "dashed")) expect(e.attrs.tooltip).toContain(" = ");
    const dotted = edges.filter((e) => e.attrs.style === "dotted");
    const posting = new Set(taskWires.map((w) => w.from.instance));
    expect(taskWires.length).toBeGreaterThan(0);
    expect(dotted).toHaveLength(posting.size);
    for (const id of posting) {
      const n = graph.instances[id]!;
      const edge = dotted.find((e) => e.from === n.path);
      expect(edge, n.path).toBeDefined();
      for (const task of n.tasks) expect(edge!.attrs.label).toContain(task);
      expect(edge!.attrs.constraint).toBe("false");
    }
  });

  it("is deterministic: the same graph, or a second build, gives the same text", async () => {
    expect(toDot(graph, { title: "BlinkAppC on sim" })).toBe(dot);
    const again = await build({ entry: BLINK, platform: "sim", write: false });
    expect(toDot(again.graph, { title: "BlinkAppC on sim" })).toBe(dot);
  });

  it("escapes quotes, backslashes and line breaks in labels", () => {
    const tricky = toDot(graph, { title: 'say "hi" \\ <&>\nsecond line' });
    expect(tricky).toContain(String.raw`label="say \"hi\" \\ <&>\nsecond line\n`);
    expect(bracesBalance(tricky)).toBe(true);
    expect(parseDot(tricky).root.attrs.label).toContain('say "hi"');
    const svg = layoutSvg(tricky);
    expect(checkXml(svg)).toMatchObject({ ok: true });
    expect(svg).toContain("say &quot;hi&quot; \\ &lt;&amp;&gt;");
    expect(svg).toContain(">second line<");
  });
});

describe("mote graph: BlinkAppC's wiring as SVG", () => {
  let graph: ElaboratedGraph;
  let dot: string;
  let out: string;
  beforeAll(async () => {
    graph = (await build({ entry: BLINK, platform: "sim", write: false })).graph;
    dot = toDot(graph);
    out = mkdtempSync(path.join(tmpdir(), "mote-graph-"));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("the built-in layout draws well-formed SVG naming every instance", () => {
    const svg = layoutSvg(dot, { note: "built-in" });
    const xml = checkXml(svg);
    expect(xml).toMatchObject({ ok: true });
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<!-- built-in -->\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const n of graph.instances) {
      expect(svg, n.path).toContain(n.path.replace(/&/g, "&amp;"));
      expect(svg, n.component.name).toContain(`>${n.component.name}`);
    }
    expect(svg).toContain(">Timer[2]<");
    expect(svg).toContain('stroke-dasharray="6,4"');
    expect(layoutSvg(dot, { note: "built-in" })).toBe(svg);
  });

  it("toSvg uses Graphviz dot when it is on PATH, else the built-in layout, and says which", async () => {
    const { svg, renderer } = await renderSvg(dot);
    const dotProgram = findDot();
    console.info(`graph.test: SVG rendered by ${renderer}${dotProgram ? ` (${dotProgram})` : " (no Graphviz dot on PATH)"}`);
    expect(renderer).toBe(dotProgram ? "graphviz" : "builtin");
    expect(checkXml(svg)).toMatchObject({ ok: true });
    if (renderer === "graphviz") {
      expect(svg).toContain("<!-- rendered by Graphviz dot (mote graph) -->");
      expect(svg).toMatch(/<svg[\s>]/);
      for (const n of graph.instances) expect(svg, n.path).toContain(n.path);
      expect(svg).toContain("Timer[1]");
    } else {
      expect(svg).toContain("Graphviz dot is not on PATH");
      for (const n of graph.instances) expect(svg, n.path).toContain(n.path);
    }
    const builtin = await renderSvg(dot, { renderer: "builtin" });
    expect(builtin.renderer).toBe("builtin");
    expect(checkXml(builtin.svg)).toMatchObject({ ok: true });
  });

  it("graphCommand returns DOT, or writes a file and says what it wrote", async () => {
    const text = await graphCommand({ entry: BLINK });
    expect(text).toBe(toDot(graph, { title: "BlinkAppC on sim" }));
    const file = path.join(out, "nested", "blink.svg");
    const message = await graphCommand({ entry: BLINK, output: file, renderer: "builtin" });
    expect(message).toMatch(/^wrote .*blink\.svg \(svg, \d+ instances, \d+ edges; drawn by mote's built-in layout\)$/);
    const written = readFileSync(file, "utf8");
    expect(checkXml(written)).toMatchObject({ ok: true });
    expect(written).toContain("BlinkAppC on sim");
  });
});
