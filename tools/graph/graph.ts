/**
 * `mote graph`: the wiring graph of an application, drawn as TinyOS's nesdoc
 * draws it. `toDot` turns an elaborated graph into Graphviz DOT; `toSvg`
 * renders DOT with Graphviz's `dot` when it is on PATH, else with a small
 * layered layout of our own (`layoutSvg`), so SVG works without Graphviz.
 *
 * How the picture reads:
 * - a module instance is a filled box; a configuration is a cluster (a
 *   rounded frame) holding the instances it created or wired, with one small
 *   oval per interface of its own that takes part in the wiring (its
 *   "ports": filled white when provided, grey when used);
 * - a wire (`c.wire(user, provider)`) is a solid arrow from the user to the
 *   provider, labelled with the interface's name and, for one index of a
 *   parameterized interface, the index (`Timer[2]`; `[*]` for the whole
 *   interface, `[1→2]` when both ends pick an index);
 * - an equate (`c.equate(outer, inner)`) is a dashed arrow between the
 *   configuration's port and the inner interface, drawn in the direction calls
 *   go: port -> inner for a provided interface, inner -> port for a used one;
 * - the build's task wires (every module task to the scheduler's
 *   `TaskBasic[i]`) are folded into one dotted grey arrow per module and
 *   scheduler port, labelled with the module's task names, and do not take
 *   part in ranking.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import type { ElaboratedGraph, EndRef, InstanceNode, SlotInfo } from "../build/elaborate.ts";

// ---------------------------------------------------------------------------
// DOT

export interface DotOptions {
  /** The caption drawn above the graph (default: the application's name). */
  readonly title?: string;
}

const LEGEND =
  "solid: wire, user → provider   dashed: equate (=)   dotted: tasks posted to the scheduler   oval: a configuration's own interface";

/** Quotes a DOT ID: backslashes and quotes escaped, line breaks as DOT's `\n` (a centred line). */
export function dotQuote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, "\\n")}"`;
}

function attrList(attrs: ReadonlyArray<readonly [string, string | undefined]>): string {
  const parts = attrs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${dotQuote(v!)}`);
  return parts.length ? ` [${parts.join(", ")}]` : "";
}

/**
 * Which cluster each instance is drawn in (null: top level, outside the root):
 * - the root configuration is never nested;
 * - a generic instance sits in the configuration that created it with `new`
 *   (its `owner`);
 * - a singleton sits in the first configuration, in wiring order, whose body
 *   wired or equated one of its interfaces (a configuration's equates of its
 *   own interfaces and the build's task wires do not count). MainC, for one,
 *   lands in the application's configuration, TinySchedulerC in MainC, and a
 *   singleton several configurations share (TimerMilliP) in the first of them;
 *   the wires from the others reach into that cluster;
 * - a singleton no other configuration wired sits at top level, and so does
 *   one whose placement would nest a configuration inside itself.
 */
export function placeInstances(graph: ElaboratedGraph): Map<number, number | null> {
  const byId = new Map(graph.instances.map((n) => [n.id, n]));
  const parent = new Map<number, number | null>();
  const firstWiredBy = new Map<number, number>();
  for (const w of graph.wires) {
    if (isTaskWire(graph, w.from)) continue;
    for (const end of [w.from, w.to]) {
      if (end.instance === w.config) continue;
      if (!firstWiredBy.has(end.instance)) firstWiredBy.set(end.instance, w.config);
    }
  }
  for (const n of graph.instances) {
    let p: number | null = null;
    if (n.id !== graph.root) {
      if (n.owner !== null) p = n.owner;
      else p = firstWiredBy.get(n.id) ?? null;
      if (p !== null && byId.get(p)?.kind !== "configuration") p = null;
    }
    parent.set(n.id, p);
  }
  for (const n of graph.instances) {
    const seen = new Set<number>();
    let p = parent.get(n.id) ?? null;
    while (p !== null && !seen.has(p)) {
      if (p === n.id) {
        parent.set(n.id, null);
        break;
      }
      seen.add(p);
      p = parent.get(p) ?? null;
    }
  }
  return parent;
}

function slotOf(graph: ElaboratedGraph, end: EndRef): SlotInfo | undefined {
  // Instance ids are their indexes in `instances`; look further only if that ever changes.
  const n = graph.instances[end.instance];
  const instance = n?.id === end.instance ? n : graph.instances.find((x) => x.id === end.instance);
  return instance?.slots.get(end.slot);
}

function isTaskWire(graph: ElaboratedGraph, from: EndRef): boolean {
  return slotOf(graph, from)?.task !== undefined;
}

function formatArg(arg: unknown): string {
  return typeof arg === "string" ? JSON.stringify(arg) : String(arg);
}

/** What an instance is called inside its cluster: its path without its creator's prefix. */
function shortName(n: InstanceNode, byId: ReadonlyMap<number, InstanceNode>): string {
  const owner = n.owner === null ? undefined : byId.get(n.owner);
  return owner && n.path.startsWith(`${owner.path}.`) ? n.path.slice(owner.path.length + 1) : n.path;
}

function indexText(index: number | null, whole: boolean): string | undefined {
  if (index !== null) return String(index);
  return whole ? "*" : undefined;
}

const COLORS = {
  moduleFill: "#dce9f7",
  moduleLine: "#2f5d8a",
  providedPort: "#ffffff",
  usedPort: "#e4e4e4",
  portLine: "#555555",
  clusterLine: "#7a7a7a",
  clusterFills: ["#fbfbfb", "#f3f3f3", "#ebebeb", "#e3e3e3"],
  task: "#9a9a9a",
};

/** Graphviz DOT for the whole application. The same graph always gives the same text. */
export function toDot(graph: ElaboratedGraph, options: DotOptions = {}): string {
  const byId = new Map(graph.instances.map((n) => [n.id, n]));
  const inst = (id: number): InstanceNode => {
    const n = byId.get(id);
    if (!n) throw new Error(`internal: the graph has no instance ${id}`);
    return n;
  };
  const parent = placeInstances(graph);
  const root = byId.get(graph.root);
  const title = options.title ?? root?.path ?? "wiring";

  /** Configuration id -> the own interfaces that take part in a wire or equate. */
  const ports = new Map<number, Set<string>>();
  const nodeId = (end: EndRef): string => {
    const n = inst(end.instance);
    if (n.kind === "module") return n.path;
    let set = ports.get(n.id);
    if (!set) ports.set(n.id, (set = new Set()));
    set.add(end.slot);
    return `${n.path}.${end.slot}`;
  };
  const endText = (end: EndRef) =>
    `${inst(end.instance).path}.${end.slot}${end.index !== null ? `[${end.index}]` : end.whole ? "[*]" : ""}`;

  interface Edge {
    from: string;
    to: string;
    attrs: Array<readonly [string, string | undefined]>;
  }
  const edges: Edge[] = [];
  const taskEdges = new Map<string, { edge: Edge; tasks: string[] }>();
  for (const w of graph.wires) {
    const fromSlot = slotOf(graph, w.from);
    if (w.kind === "wire" && fromSlot?.task !== undefined) {
      const from = nodeId(w.from);
      const to = nodeId(w.to);
      const key = `${from}\u0000${to}`;
      let folded = taskEdges.get(key);
      if (!folded) {
        folded = { edge: { from, to, attrs: [] }, tasks: [] };
        taskEdges.set(key, folded);
        edges.push(folded.edge);
      }
      folded.tasks.push(fromSlot.task);
      continue;
    }
    const ifaceName = fromSlot?.iface.name ?? slotOf(graph, w.to)?.iface.name ?? w.from.slot;
    // Draw in the direction calls go: a used interface's equate runs inner -> port.
    const reverse = w.kind === "equate" && fromSlot?.role === "user";
    const [a, b] = reverse ? [w.to, w.from] : [w.from, w.to];
    const ia = indexText(a.index, a.whole);
    const ib = indexText(b.index, b.whole);
    const index = ia !== undefined && ib !== undefined ? (ia === ib ? ia : `${ia}→${ib}`) : (ia ?? ib);
    // A wire from a renamed interface (`Timer0: Timer`) shows the user's name too, so fan-outs can be told apart.
    const named = w.kind === "wire" && fromSlot && fromSlot.name !== ifaceName ? `${fromSlot.name}: ${ifaceName}` : ifaceName;
    const label = index === undefined ? named : `${named}[${index}]`;
    const tooltip = w.kind === "equate" ? `${endText(w.from)} = ${endText(w.to)}` : `${endText(w.from)} -> ${endText(w.to)}`;
    edges.push({
      from: nodeId(a),
      to: nodeId(b),
      attrs: [
        ["label", label],
        ["tooltip", tooltip],
        ["style", w.kind === "equate" ? "dashed" : undefined],
      ],
    });
  }
  for (const { edge, tasks } of taskEdges.values()) {
    edge.attrs.push(
      ["label", `${tasks.length === 1 ? "task" : "tasks"} ${tasks.join(", ")}`],
      ["tooltip", `${edge.from} posts ${tasks.join(", ")}`],
      ["style", "dotted"],
      ["color", COLORS.task],
      ["fontcolor", COLORS.task],
      ["constraint", "false"],
    );
  }

  const children = new Map<number | null, InstanceNode[]>();
  for (const n of graph.instances) {
    const p = parent.get(n.id) ?? null;
    const list = children.get(p) ?? [];
    list.push(n);
    children.set(p, list);
  }
  for (const list of children.values()) list.sort((x, y) => x.id - y.id);

  const lines: string[] = [];
  lines.push(`// mote graph: the wiring of ${title.replace(/\s+/g, " ")} (tools/graph/graph.ts)`);
  lines.push(`digraph ${dotQuote(root?.path ?? "wiring")} {`);
  lines.push(
    `  graph${attrList([
      ["rankdir", "LR"],
      ["fontname", "Helvetica"],
      ["fontsize", "14"],
      ["label", `${title}\n${LEGEND}`],
      ["labelloc", "t"],
      ["labeljust", "l"],
      ["nodesep", "0.25"],
      ["ranksep", "0.7"],
    ])};`,
  );
  lines.push(
    `  node${attrList([
      ["shape", "box"],
      ["style", "filled"],
      ["fillcolor", COLORS.moduleFill],
      ["color", COLORS.moduleLine],
      ["fontname", "Helvetica"],
      ["fontsize", "11"],
    ])};`,
  );
  lines.push(`  edge${attrList([["fontname", "Helvetica"], ["fontsize", "9"]])};`);

  const emit = (list: readonly InstanceNode[], depth: number) => {
    const pad = "  ".repeat(depth + 1);
    for (const n of list) {
      const name = shortName(n, byId);
      const args = n.args.length ? ` (${n.args.map(formatArg).join(", ")})` : "";
      const generic = n.component.generic ? "generic " : "";
      if (n.kind === "module") {
        lines.push(`${pad}${dotQuote(n.path)}${attrList([["label", `${name}${args}`], ["tooltip", `${generic}module ${n.path}`]])};`);
        continue;
      }
      lines.push(`${pad}subgraph cluster_${n.id} {`);
      lines.push(
        `${pad}  graph${attrList([
          ["label", `${name}${args}`],
          ["tooltip", `${generic}configuration ${n.path}`],
          ["style", "rounded,filled"],
          ["color", COLORS.clusterLine],
          ["fillcolor", COLORS.clusterFills[Math.min(depth, COLORS.clusterFills.length - 1)]],
          ["fontsize", "12"],
          ["labeljust", "l"],
        ])};`,
      );
      const own = ports.get(n.id);
      let empty = true;
      for (const slot of n.slots.values()) {
        if (!own?.has(slot.name)) continue;
        empty = false;
        const provided = slot.role === "provider";
        const kind = `${slot.parameterized ? `parameterized ${slot.iface.name}[]` : slot.iface.name}`;
        lines.push(
          `${pad}  ${dotQuote(`${n.path}.${slot.name}`)}${attrList([
            ["label", slot.name],
            ["tooltip", `${n.path} ${provided ? "provides" : "uses"} ${kind} as ${slot.name}`],
            ["shape", "ellipse"],
            ["fillcolor", provided ? COLORS.providedPort : COLORS.usedPort],
            ["color", COLORS.portLine],
            ["fontsize", "9"],
            ["height", "0.3"],
          ])};`,
        );
      }
      const inner = children.get(n.id) ?? [];
      if (inner.length) empty = false;
      if (empty) {
        lines.push(`${pad}  ${dotQuote(n.path)}${attrList([["label", ""], ["shape", "point"], ["style", "invis"]])};`);
      }
      emit(inner, depth + 1);
      lines.push(`${pad}}`);
    }
  };
  emit(children.get(null) ?? [], 0);
  for (const e of edges) lines.push(`  ${dotQuote(e.from)} -> ${dotQuote(e.to)}${attrList(e.attrs)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------
// SVG

export type SvgRenderer = "graphviz" | "builtin";

export interface SvgResult {
  readonly svg: string;
  readonly renderer: SvgRenderer;
}

/** The Graphviz `dot` program on PATH, or undefined. */
export function findDot(): string | undefined {
  const names = process.platform === "win32" ? ["dot.exe", "dot.cmd", "dot.bat"] : ["dot"];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        if (!statSync(file).isFile()) continue;
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function runDot(program: string, dot: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ["-Tsvg"], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else reject(new Error(`dot -Tsvg failed (exit ${code}): ${Buffer.concat(err).toString("utf8").trim()}`));
    });
    child.stdin.on("error", () => {
      // reported through close
    });
    child.stdin.end(dot);
  });
}

/** Adds an XML comment naming the renderer after the XML declaration and doctype. */
function markRenderer(svg: string, note: string): string {
  const comment = `<!-- ${note.replace(/-(?=-)/g, "- ").replace(/-$/, "- ")} -->\n`;
  const at = svg.indexOf("<svg");
  return at < 0 ? comment + svg : svg.slice(0, at) + comment + svg.slice(at);
}

/**
 * Renders DOT to SVG. `renderer: "auto"` (the default) uses Graphviz `dot`
 * when it is on PATH and the built-in layout otherwise; the result says
 * which, and so does a comment in the SVG.
 */
export async function renderSvg(dot: string, options: { renderer?: "auto" | SvgRenderer } = {}): Promise<SvgResult> {
  const wanted = options.renderer ?? "auto";
  if (wanted !== "builtin") {
    const program = findDot();
    if (program) {
      const svg = await runDot(program, dot);
      return { svg: markRenderer(svg, "rendered by Graphviz dot (mote graph)"), renderer: "graphviz" };
    }
    if (wanted === "graphviz") throw new Error("Graphviz `dot` is not on PATH");
  }
  const note = `drawn by mote graph's built-in layout${wanted === "auto" ? " (Graphviz dot is not on PATH)" : ""}`;
  const svg = layoutSvg(dot, { note });
  return { svg, renderer: "builtin" };
}

/** DOT -> SVG with Graphviz `dot` if it is on PATH, else with the built-in layout. */
export async function toSvg(dot: string): Promise<string> {
  return (await renderSvg(dot)).svg;
}

// ---------------------------------------------------------------------------
// A DOT reader for the built-in renderer: the language's statements
// (graph/node/edge defaults, subgraphs, node and edge statements, `a = b`),
// quoted, HTML and plain IDs, comments. Enough for what toDot writes and for
// hand-written graphs of the same kind; ports (`a:p`) are read and ignored.

type Attrs = Record<string, string>;

interface DotNode {
  readonly id: string;
  attrs: Attrs;
  readonly cluster: DotCluster;
  readonly order: number;
}

interface DotCluster {
  readonly id: string;
  attrs: Attrs;
  readonly parent: DotCluster | null;
  readonly items: Array<{ kind: "node"; node: DotNode } | { kind: "cluster"; cluster: DotCluster }>;
}

interface DotEdge {
  readonly from: string;
  readonly to: string;
  readonly attrs: Attrs;
}

export interface ParsedDot {
  readonly name: string;
  readonly directed: boolean;
  readonly root: DotCluster;
  readonly nodes: ReadonlyMap<string, DotNode>;
  readonly edges: readonly DotEdge[];
}

interface Token {
  readonly kind: "id" | "punct";
  readonly text: string;
  readonly pos: number;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string): never => {
    const line = src.slice(0, i).split("\n").length;
    throw new Error(`DOT syntax error at line ${line}: ${message}`);
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "#" && (i === 0 || src[i - 1] === "\n")) {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (src.startsWith("//", i)) {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (src.startsWith("/*", i)) {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) fail("unterminated comment");
      i = end + 2;
      continue;
    }
    const start = i;
    if (ch === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= src.length) fail("unterminated string");
        const c = src[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === "\\" && src[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (c === "\\" && src[i + 1] === "\n") {
          i += 2;
        } else {
          text += c;
          i++;
        }
      }
      // "a" + "b" concatenation
      const prev = tokens[tokens.length - 1];
      const plus = tokens[tokens.length - 2];
      if (prev?.kind === "punct" && prev.text === "+" && plus?.kind === "id") {
        tokens.pop();
        tokens[tokens.length - 1] = { kind: "id", text: plus.text + text, pos: plus.pos };
      } else tokens.push({ kind: "id", text, pos: start });
      continue;
    }
    if (ch === "<") {
      let depth = 0;
      do {
        if (i >= src.length) fail("unterminated HTML string");
        if (src[i] === "<") depth++;
        else if (src[i] === ">") depth--;
        i++;
      } while (depth > 0);
      tokens.push({ kind: "id", text: src.slice(start + 1, i - 1).replace(/<[^>]*>/g, ""), pos: start });
      continue;
    }
    if (src.startsWith("->", i) || src.startsWith("--", i)) {
      tokens.push({ kind: "punct", text: src.slice(i, i + 2), pos: start });
      i += 2;
      continue;
    }
    if ("{}[];,=:+".includes(ch)) {
      tokens.push({ kind: "punct", text: ch, pos: start });
      i++;
      continue;
    }
    const m = /^(?:-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)|[A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)/.exec(src.slice(i));
    if (!m) fail(`unexpected character ${JSON.stringify(ch)}`);
    tokens.push({ kind: "id", text: m![0], pos: start });
    i += m![0].length;
  }
  return tokens;
}

/** Reads DOT text (one graph). */
export function parseDot(src: string): ParsedDot {
  const tokens = tokenize(src);
  let p = 0;
  const peek = (k = 0) => tokens[p + k];
  const fail = (message: string): never => {
    const pos = peek()?.pos ?? src.length;
    throw new Error(`DOT syntax error at line ${src.slice(0, pos).split("\n").length}: ${message}`);
  };
  const isPunct = (text: string, k = 0) => peek(k)?.kind === "punct" && peek(k)!.text === text;
  const keyword = (word: string, k = 0) => peek(k)?.kind === "id" && peek(k)!.text.toLowerCase() === word;
  const expectPunct = (text: string) => {
    if (!isPunct(text)) fail(`expected \`${text}'`);
    p++;
  };
  const expectId = (): string => {
    const t = peek();
    if (t?.kind !== "id") return fail("expected an ID");
    p++;
    return t.text;
  };

  if (keyword("strict")) p++;
  const directed = keyword("digraph");
  if (!directed && !keyword("graph")) fail("expected `digraph' or `graph'");
  p++;
  const name = peek()?.kind === "id" ? expectId() : "";
  const root: DotCluster = { id: name, attrs: {}, parent: null, items: [] };
  const nodes = new Map<string, DotNode>();
  const edges: DotEdge[] = [];

  interface Scope {
    node: Attrs;
    edge: Attrs;
    graph: Attrs;
    cluster: DotCluster;
  }

  const readAttrs = (): Attrs => {
    const attrs: Attrs = {};
    while (isPunct("[")) {
      p++;
      while (!isPunct("]")) {
        const key = expectId();
        let value = "true";
        if (isPunct("=")) {
          p++;
          value = expectId();
        }
        attrs[key] = value;
        if (isPunct(",") || isPunct(";")) p++;
      }
      p++;
    }
    return attrs;
  };

  const nodeRef = (scope: Scope, id: string): DotNode => {
    let node = nodes.get(id);
    if (!node) {
      node = { id, attrs: { ...scope.node }, cluster: scope.cluster, order: nodes.size };
      nodes.set(id, node);
      scope.cluster.items.push({ kind: "node", node });
    }
    return node;
  };

  const readPort = () => {
    while (isPunct(":")) {
      p++;
      expectId();
    }
  };

  let anonymous = 0;
  const readBody = (scope: Scope) => {
    expectPunct("{");
    while (!isPunct("}")) {
      if (!peek()) fail("missing `}'");
      if (isPunct(";")) {
        p++;
        continue;
      }
      if ((keyword("graph") || keyword("node") || keyword("edge")) && isPunct("[", 1)) {
        const which = peek()!.text.toLowerCase() as "graph" | "node" | "edge";
        p++;
        const attrs = readAttrs();
        Object.assign(scope[which], attrs);
        continue;
      }
      if (keyword("subgraph") || isPunct("{")) {
        let id = `%anonymous${anonymous++}`;
        if (keyword("subgraph")) {
          p++;
          if (peek()?.kind === "id") id = expectId();
        }
        if (isPunct("->") || isPunct("--")) fail("subgraphs as edge ends are not supported");
        const isCluster = id.startsWith("cluster");
        const cluster: DotCluster = isCluster ? { id, attrs: {}, parent: scope.cluster, items: [] } : scope.cluster;
        if (isCluster) scope.cluster.items.push({ kind: "cluster", cluster });
        readBody({
          node: { ...scope.node },
          edge: { ...scope.edge },
          graph: isCluster ? cluster.attrs : { ...scope.graph },
          cluster,
        });
        continue;
      }
      const first = expectId();
      if (isPunct("=")) {
        p++;
        scope.graph[first] = expectId();
        continue;
      }
      readPort();
      const chain = [first];
      while (isPunct("->") || isPunct("--")) {
        p++;
        if (keyword("subgraph") || isPunct("{")) fail("subgraphs as edge ends are not supported");
        chain.push(expectId());
        readPort();
      }
      const attrs = readAttrs();
      if (chain.length === 1) {
        Object.assign(nodeRef(scope, first).attrs, attrs);
      } else {
        for (const id of chain) nodeRef(scope, id);
        for (let k = 0; k + 1 < chain.length; k++) {
          edges.push({ from: chain[k]!, to: chain[k + 1]!, attrs: { ...scope.edge, ...attrs } });
        }
      }
    }
    p++;
  };
  readBody({ node: {}, edge: {}, graph: root.attrs, cluster: root });
  if (p < tokens.length) fail("text after the graph");
  return { name, directed, root, nodes, edges };
}

// ---------------------------------------------------------------------------
// The built-in layout, left to right, after Graphviz's dot but much simpler:
// 1. ranks: every node gets a column from a longest-path layering of the
//    edges (cycles broken by depth-first search; `constraint=false` edges do
//    not count), then each node moves to the median of what its neighbours
//    ask for, as far as its edges allow (this shortens edges);
// 2. columns are as wide as their widest node; the gap after a column leaves
//    room for the labels of edges crossing it and for the frames of clusters
//    ending or starting there (a frame steps out PAD per nesting level);
// 3. a cluster spans the columns of its nodes; inside it, its nodes and inner
//    clusters are stacked top down, each at the highest place free in all
//    its columns (skyline packing), inner clusters packed first;
// 4. the order in which each cluster stacks its items is improved by a few
//    barycentre rounds (by the mean height of what an item is wired to),
//    keeping the round with fewest crossings;
// 5. edges are cubic curves from the side of one box to the facing side of
//    the other, each label where it covers no box and no other label.
// Other `rankdir`s are drawn left to right too.

interface Box {
  w: number;
  h: number;
  x: number;
  y: number;
}

/** Rough Helvetica advance widths, in ems. */
function textWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) {
    if ("iljtfrI.,:;'|![]() 1".includes(ch)) w += 0.3;
    else if ("mwMW@".includes(ch)) w += 0.86;
    else if (/[A-Z#%&]/.test(ch)) w += 0.68;
    else if (/[\u2190-\u21ff]/.test(ch)) w += 1;
    else w += 0.56;
  }
  return w * size;
}

/** DOT label escapes: `\n`, `\l`, `\r` end lines; `\N` the node, `\G` the graph. */
function labelLines(label: string, nodeName: string, graphName: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (let i = 0; i < label.length; i++) {
    const c = label[i]!;
    if (c === "\\" && i + 1 < label.length) {
      const e = label[++i]!;
      if (e === "n" || e === "l" || e === "r") {
        lines.push(line);
        line = "";
      } else if (e === "N") line += nodeName;
      else if (e === "G") line += graphName;
      else line += e;
    } else line += c;
  }
  lines.push(line);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function num(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function size(attrs: Attrs, fallback: number): number {
  const v = Number(attrs.fontsize);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function styles(attrs: Attrs): Set<string> {
  return new Set((attrs.style ?? "").split(",").map((s) => s.trim()).filter(Boolean));
}

function color(value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  const c = value.split(":")[0]!.trim();
  return /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+)$/.test(c) ? c : fallback;
}

function dashArray(style: Set<string>): string {
  if (style.has("dashed")) return ' stroke-dasharray="6,4"';
  if (style.has("dotted")) return ' stroke-dasharray="1.5,3"';
  return "";
}

/** Whether segments ab and cd cross (touching at an end does not count). */
function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const side = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  return side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0;
}

interface Point {
  x: number;
  y: number;
}

/** Frame step per nesting level, gap between stacked items, page margin. */
const PAD = 8;
const GAP = 12;
const MARGIN = 10;

type Item = { kind: "node"; node: DotNode } | { kind: "cluster"; cluster: DotCluster };

/** Lays out DOT with the built-in renderer and returns a self-contained SVG document. */
export function layoutSvg(dot: string, options: { note?: string } = {}): string {
  const g = parseDot(dot);
  const ga = g.root.attrs;
  const nodes = [...g.nodes.values()];
  const N = nodes.length;
  const index = new Map(nodes.map((n, i) => [n.id, i]));

  // Node sizes.
  const nodeBox: Box[] = [];
  const nodeLines: string[][] = [];
  for (const node of nodes) {
    const fs = size(node.attrs, 14);
    const lines = labelLines(node.attrs.label ?? "\\N", node.id, g.name);
    nodeLines.push(lines);
    const shape = (node.attrs.shape ?? "ellipse").toLowerCase();
    const tw = Math.max(...lines.map((l) => textWidth(l, fs)));
    const th = lines.length * fs * 1.2;
    let w = tw + 16;
    let h = th + 10;
    if (shape === "ellipse" || shape === "oval" || shape === "circle") w = tw * 1.15 + 18;
    else if (shape === "point") [w, h] = [6, 6];
    else if (shape === "plaintext" || shape === "plain" || shape === "none") [w, h] = [tw + 4, th + 4];
    nodeBox.push({ w: Math.ceil(w), h: Math.ceil(Math.max(h, shape === "point" ? 6 : 18)), x: 0, y: 0 });
  }

  // 1. Ranks.
  const succ: number[][] = nodes.map(() => []);
  for (const e of g.edges) {
    if ((e.attrs.constraint ?? "true").toLowerCase() === "false") continue;
    const a = index.get(e.from)!;
    const b = index.get(e.to)!;
    if (a !== b && !succ[a]!.includes(b)) succ[a]!.push(b);
  }
  const dag: number[][] = nodes.map(() => []);
  const state = new Uint8Array(N);
  for (let start = 0; start < N; start++) {
    if (state[start]) continue;
    // Iterative depth-first search; an edge to a node on the stack is dropped.
    const stack: Array<[number, number]> = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [v, k] = top;
      if (k < succ[v]!.length) {
        top[1]++;
        const w = succ[v]![k]!;
        if (state[w] === 1) continue;
        dag[v]!.push(w);
        if (state[w] === 0) {
          state[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }
  const pred: number[][] = nodes.map(() => []);
  for (let v = 0; v < N; v++) for (const w of dag[v]!) pred[w]!.push(v);
  const rank = new Array<number>(N).fill(0);
  {
    const indegree = pred.map((p) => p.length);
    const queue: number[] = [];
    for (let v = 0; v < N; v++) if (indegree[v] === 0) queue.push(v);
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q]!;
      for (const w of dag[v]!) {
        rank[w] = Math.max(rank[w]!, rank[v]! + 1);
        if (--indegree[w]! === 0) queue.push(w);
      }
    }
  }
  for (let round = 0; round < 8; round++) {
    let moved = false;
    for (let v = 0; v < N; v++) {
      const wants = [...pred[v]!.map((u) => rank[u]! + 1), ...dag[v]!.map((w) => rank[w]! - 1)].sort((a, b) => a - b);
      if (!wants.length) continue;
      const lo = pred[v]!.length ? Math.max(...pred[v]!.map((u) => rank[u]! + 1)) : -Infinity;
      const hi = dag[v]!.length ? Math.min(...dag[v]!.map((w) => rank[w]! - 1)) : Infinity;
      const target = Math.min(hi, Math.max(lo, wants[(wants.length - 1) >> 1]!));
      if (target !== rank[v]) {
        rank[v] = target;
        moved = true;
      }
    }
    if (!moved) break;
  }
  // A node with no ranking edges joins the first column of its cluster's other nodes.
  for (let v = 0; v < N; v++) {
    if (pred[v]!.length || dag[v]!.length) continue;
    const mates = nodes[v]!.cluster.items.flatMap((it) =>
      it.kind === "node" && it.node !== nodes[v] ? [index.get(it.node.id)!] : [],
    ).filter((u) => pred[u]!.length || dag[u]!.length);
    if (mates.length) rank[v] = Math.min(...mates.map((u) => rank[u]!));
  }
  const minRank = Math.min(0, ...rank);
  for (let v = 0; v < N; v++) rank[v] = rank[v]! - minRank;
  const ranks = Math.max(0, ...rank) + 1;

  // 2. Cluster spans and levels, columns and gaps.
  const spanOf = new Map<DotCluster, [number, number]>();
  const levelOf = new Map<DotCluster, number>();
  const scan = (c: DotCluster): [number, number] | undefined => {
    let lo = Infinity;
    let hi = -Infinity;
    let level = 1;
    for (const it of c.items) {
      if (it.kind === "node") {
        const r = rank[index.get(it.node.id)!]!;
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      } else {
        const s = scan(it.cluster);
        if (!s) continue;
        lo = Math.min(lo, s[0]);
        hi = Math.max(hi, s[1]);
        level = Math.max(level, levelOf.get(it.cluster)! + 1);
      }
    }
    if (lo > hi) return undefined;
    spanOf.set(c, [lo, hi]);
    levelOf.set(c, level);
    return [lo, hi];
  };
  if (!scan(g.root)) {
    spanOf.set(g.root, [0, 0]);
    levelOf.set(g.root, 1);
  }
  const clusters = [...spanOf.keys()].filter((c) => c !== g.root);
  const clusterLabel = (c: DotCluster) => {
    const fs = size(c.attrs, 14);
    const lines = c.attrs.label ? labelLines(c.attrs.label, c.id, g.name) : [];
    return {
      fs,
      lines,
      h: lines.length ? lines.length * fs * 1.15 + 6 : 0,
      w: lines.length ? Math.max(...lines.map((l) => textWidth(l, fs))) + 16 : 0,
    };
  };
  const colW = new Array<number>(ranks).fill(0);
  nodes.forEach((_, v) => (colW[rank[v]!] = Math.max(colW[rank[v]!]!, nodeBox[v]!.w)));
  const endLevel = new Array<number>(ranks).fill(0);
  const startLevel = new Array<number>(ranks).fill(0);
  for (const c of clusters) {
    const [lo, hi] = spanOf.get(c)!;
    const level = levelOf.get(c)!;
    endLevel[hi] = Math.max(endLevel[hi]!, level);
    startLevel[lo] = Math.max(startLevel[lo]!, level);
    const lw = clusterLabel(c).w - 2 * level * PAD;
    if (lo === hi) colW[lo] = Math.max(colW[lo]!, lw);
  }
  const labelNeed = new Array<number>(ranks).fill(0);
  for (const e of g.edges) {
    const ra = rank[index.get(e.from)!]!;
    const rb = rank[index.get(e.to)!]!;
    if (Math.abs(ra - rb) !== 1 || !e.attrs.label) continue;
    const w = Math.max(...labelLines(e.attrs.label, e.from, g.name).map((l) => textWidth(l, size(e.attrs, 14))));
    const r = Math.min(ra, rb);
    labelNeed[r] = Math.max(labelNeed[r]!, w);
  }
  const colX = new Array<number>(ranks).fill(0);
  colX[0] = MARGIN + startLevel[0]! * PAD;
  for (let r = 0; r + 1 < ranks; r++) {
    const gap = Math.max(48, (endLevel[r]! + startLevel[r + 1]!) * PAD + labelNeed[r]! + 32);
    colX[r + 1] = colX[r]! + colW[r]! + gap;
  }
  const contentRight = colX[ranks - 1]! + colW[ranks - 1]! + endLevel[ranks - 1]! * PAD;

  // 3. Stacking, 4. order rounds.
  const itemsOf = new Map<DotCluster, Item[]>();
  for (const c of spanOf.keys()) {
    itemsOf.set(
      c,
      c.items.filter((it) => it.kind === "node" || spanOf.has(it.cluster)),
    );
  }
  const clusterBox = new Map<DotCluster, Box>();
  const itemSpan = (it: Item): [number, number] =>
    it.kind === "node" ? [rank[index.get(it.node.id)!]!, rank[index.get(it.node.id)!]!] : spanOf.get(it.cluster)!;
  const relY = new Map<object, number>();
  const keyOf = (it: Item) => (it.kind === "node" ? it.node : it.cluster);
  const heightOf = new Map<DotCluster, number>();
  const stack = (c: DotCluster): number => {
    const top = c === g.root ? 0 : clusterLabel(c).h + 2;
    const [lo, hi] = spanOf.get(c)!;
    const sky = new Array<number>(hi - lo + 1).fill(top);
    for (const it of itemsOf.get(c)!) {
      const h = it.kind === "node" ? nodeBox[index.get(it.node.id)!]!.h : stack(it.cluster);
      const [a, b] = itemSpan(it);
      let y = top;
      for (let r = a; r <= b; r++) y = Math.max(y, sky[r - lo]!);
      relY.set(keyOf(it), y);
      for (let r = a; r <= b; r++) sky[r - lo] = y + h + GAP;
    }
    const height = Math.max(top, Math.max(...sky) - GAP) + (c === g.root ? 0 : PAD);
    heightOf.set(c, height);
    return height;
  };
  const titleFs = size(ga, 14);
  const titleLines = ga.label ? labelLines(ga.label, g.name, g.name) : [];
  const titleH = titleLines.length ? titleLines.length * titleFs * 1.25 + 10 : 0;
  const titleAtTop = (ga.labelloc ?? "b").toLowerCase().startsWith("t");
  const contentTop = MARGIN + (titleAtTop ? titleH : 0);
  const place = (c: DotCluster, y: number) => {
    if (c !== g.root) {
      const [lo, hi] = spanOf.get(c)!;
      const level = levelOf.get(c)!;
      const x = colX[lo]! - level * PAD;
      clusterBox.set(c, { x, y, w: colX[hi]! + colW[hi]! + level * PAD - x, h: heightOf.get(c)! });
    }
    for (const it of itemsOf.get(c)!) {
      const iy = y + relY.get(keyOf(it))!;
      if (it.kind === "cluster") place(it.cluster, iy);
      else {
        const v = index.get(it.node.id)!;
        const box = nodeBox[v]!;
        box.x = colX[rank[v]!]! + (colW[rank[v]!]! - box.w) / 2;
        box.y = iy;
      }
    }
  };
  const layout = () => {
    stack(g.root);
    place(g.root, contentTop);
  };
  const centre = (v: number): Point => ({ x: nodeBox[v]!.x + nodeBox[v]!.w / 2, y: nodeBox[v]!.y + nodeBox[v]!.h / 2 });
  const edgeEnds = g.edges.map((e) => [index.get(e.from)!, index.get(e.to)!] as const).filter(([a, b]) => a !== b);
  const crossings = () => {
    const segs = edgeEnds.map(([a, b]) => [a, b, centre(a), centre(b)] as const);
    let count = 0;
    for (let i = 0; i < segs.length; i++) {
      for (let j = i + 1; j < segs.length; j++) {
        const [a, b, p, q] = segs[i]!;
        const [c, d, s, t] = segs[j]!;
        if (a === c || a === d || b === c || b === d) continue;
        if (segmentsCross(p, q, s, t)) count++;
      }
    }
    return count;
  };
  const nodesUnder = new Map<DotCluster, Set<number>>();
  for (const c of spanOf.keys()) {
    const set = new Set<number>();
    const add = (k: DotCluster) => k.items.forEach((it) => (it.kind === "node" ? set.add(index.get(it.node.id)!) : add(it.cluster)));
    add(c);
    nodesUnder.set(c, set);
  }
  const neighbours: number[][] = nodes.map(() => []);
  for (const [a, b] of edgeEnds) {
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  layout();
  const totalHeight = () => heightOf.get(g.root)!;
  let best = { crossings: crossings(), height: totalHeight(), orders: new Map([...itemsOf].map(([c, l]) => [c, [...l]])) };
  for (let round = 0; round < 6; round++) {
    for (const list of itemsOf.values()) {
      const key = new Map<Item, number>();
      for (const it of list) {
        const inside = it.kind === "node" ? new Set([index.get(it.node.id)!]) : nodesUnder.get(it.cluster)!;
        let sum = 0;
        let n = 0;
        let own = 0;
        for (const v of inside) {
          own += centre(v).y;
          for (const w of neighbours[v]!) {
            if (inside.has(w)) continue;
            sum += centre(w).y;
            n++;
          }
        }
        key.set(it, n ? sum / n : own / inside.size);
      }
      const current = new Map(list.map((it) => [it, relY.get(keyOf(it))!]));
      list.sort((a, b) => key.get(a)! - key.get(b)! || current.get(a)! - current.get(b)!);
    }
    layout();
    const score = { crossings: crossings(), height: totalHeight() };
    if (score.crossings < best.crossings || (score.crossings === best.crossings && score.height < best.height)) {
      best = { ...score, orders: new Map([...itemsOf].map(([c, l]) => [c, [...l]])) };
    }
  }
  for (const [c, l] of best.orders) itemsOf.set(c, l);
  layout();
  // Slide single nodes towards the middle of what they are wired to, within
  // the room their column leaves them in their cluster.
  for (let pass = 0; pass < 4; pass++) {
    for (const [c, list] of itemsOf) {
      const top = c === g.root ? 0 : clusterLabel(c).h + 2;
      const bottom = heightOf.get(c)! - (c === g.root ? 0 : PAD);
      const origin = c === g.root ? contentTop : clusterBox.get(c)!.y;
      for (const it of list) {
        if (it.kind !== "node") continue;
        const v = index.get(it.node.id)!;
        const others = neighbours[v]!.filter((w) => w !== v);
        if (!others.length) continue;
        const box = nodeBox[v]!;
        const want = others.reduce((sum, w) => sum + centre(w).y, 0) / others.length - origin - box.h / 2;
        const y = relY.get(it.node)!;
        let lo = top;
        let hi = bottom - box.h;
        for (const o of list) {
          if (o === it) continue;
          const [a, b] = itemSpan(o);
          if (rank[v]! < a || rank[v]! > b) continue;
          const oy = relY.get(keyOf(o))!;
          const oh = o.kind === "node" ? nodeBox[index.get(o.node.id)!]!.h : heightOf.get(o.cluster)!;
          if (oy + oh <= y) lo = Math.max(lo, oy + oh + GAP);
          else if (oy >= y + box.h) hi = Math.min(hi, oy - GAP - box.h);
        }
        if (lo > hi) continue;
        const next = Math.min(hi, Math.max(lo, want));
        relY.set(it.node, next);
        box.y = origin + next;
      }
    }
  }

  const noteFs = 9;
  const noteH = options.note ? noteFs + 10 : 0;
  const titleW = titleLines.length ? Math.max(...titleLines.map((l, i) => textWidth(l, i === 0 ? titleFs : Math.max(9, titleFs - 4)))) : 0;
  const contentH = heightOf.get(g.root)!;
  const width = Math.ceil(Math.max(contentRight + MARGIN, titleW + 2 * MARGIN, options.note ? textWidth(options.note, noteFs) + 2 * MARGIN : 0));
  const height = Math.ceil(contentTop + contentH + (titleAtTop ? 0 : titleH) + noteH + MARGIN);
  const nodeBoxes = new Map(nodes.map((n, v) => [n.id, nodeBox[v]!]));

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  if (options.note) out.push(`<!-- ${options.note.replace(/-(?=-)/g, "- ").replace(/-$/, "- ")} -->`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
  );
  out.push(`<title>${xml(g.name)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  const text = (x: number, y: number, s: string, fs: number, anchor: string, fill: string, extra = "") =>
    `<text x="${num(x)}" y="${num(y)}" font-size="${fs}" text-anchor="${anchor}" fill="${fill}"${extra}>${xml(s.replace(/ {2,}/g, (m) => "\u00a0".repeat(m.length)))}</text>`;
  if (titleLines.length) {
    let ty = titleAtTop ? MARGIN : contentTop + contentH + 6;
    titleLines.forEach((line, i) => {
      const fs = i === 0 ? titleFs : Math.max(9, titleFs - 4);
      ty += fs * 1.25;
      out.push(text(MARGIN, ty, line, fs, "start", i === 0 ? "#000000" : "#555555", i === 0 ? ' font-weight="bold"' : ""));
    });
  }

  // Clusters, outermost first.
  const drawCluster = (c: DotCluster) => {
    const box = clusterBox.get(c);
    if (box) {
      const st = styles(c.attrs);
      const fill = st.has("filled") ? color(c.attrs.fillcolor ?? c.attrs.bgcolor ?? c.attrs.color, "#eeeeee") : color(c.attrs.bgcolor, "none");
      const stroke = color(c.attrs.pencolor ?? c.attrs.color, "#000000");
      const rx = st.has("rounded") ? 8 : 0;
      out.push(`<g class="cluster"><title>${xml(c.attrs.tooltip ?? c.id)}</title>`);
      out.push(
        `<rect x="${num(box.x)}" y="${num(box.y)}" width="${num(box.w)}" height="${num(box.h)}" rx="${rx}" fill="${fill}" stroke="${stroke}"${dashArray(st)}/>`,
      );
      const label = clusterLabel(c);
      const just = (c.attrs.labeljust ?? "c").toLowerCase();
      const lx = just === "l" ? box.x + 7 : just === "r" ? box.x + box.w - 7 : box.x + box.w / 2;
      const anchor = just === "l" ? "start" : just === "r" ? "end" : "middle";
      label.lines.forEach((line, i) => {
        if (line) out.push(text(lx, box.y + 2 + (i + 1) * label.fs * 1.15, line, label.fs, anchor, color(c.attrs.fontcolor, "#000000"), ' font-weight="bold"'));
      });
      out.push("</g>");
    }
    for (const item of c.items) if (item.kind === "cluster") drawCluster(item.cluster);
  };
  drawCluster(g.root);

  // Edges: cubic curves between box sides, arrowheads by hand.
  const placedLabels: Box[] = [];
  const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  const labelsOut: string[] = [];
  const edgesOut: string[] = [];
  const pairCount = new Map<string, number>();
  for (const e of g.edges) {
    const st = styles(e.attrs);
    if (st.has("invis")) continue;
    const a = nodeBoxes.get(e.from)!;
    const b = nodeBoxes.get(e.to)!;
    const key = `${e.from}\u0000${e.to}`;
    const k = pairCount.get(key) ?? 0;
    pairCount.set(key, k + 1);
    const bend = k === 0 ? 0 : (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 10;
    let p0: Point;
    let p3: Point;
    let d0: Point;
    let d3: Point;
    const ca = { x: a.x + a.w / 2, y: a.y + a.h / 2 };
    const cb = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
    if (a === b) {
      // A loop on the right side.
      [p0, p3, d0, d3] = [{ x: a.x + a.w, y: a.y + a.h / 4 }, { x: a.x + a.w, y: a.y + (3 * a.h) / 4 }, { x: 1, y: 0 }, { x: 1, y: 0 }];
    } else if (b.x >= a.x + a.w - 2) {
      [p0, p3, d0, d3] = [{ x: a.x + a.w, y: ca.y }, { x: b.x, y: cb.y }, { x: 1, y: 0 }, { x: -1, y: 0 }];
    } else if (b.x + b.w <= a.x + 2) {
      [p0, p3, d0, d3] = [{ x: a.x, y: ca.y }, { x: b.x + b.w, y: cb.y }, { x: -1, y: 0 }, { x: 1, y: 0 }];
    } else if (b.y >= a.y + a.h - 2) {
      [p0, p3, d0, d3] = [{ x: ca.x, y: a.y + a.h }, { x: cb.x, y: b.y }, { x: 0, y: 1 }, { x: 0, y: -1 }];
    } else if (b.y + b.h <= a.y + 2) {
      [p0, p3, d0, d3] = [{ x: ca.x, y: a.y }, { x: cb.x, y: b.y + b.h }, { x: 0, y: -1 }, { x: 0, y: 1 }];
    } else {
      // Overlapping boxes: loop out on the right.
      [p0, p3, d0, d3] = [{ x: a.x + a.w, y: ca.y }, { x: b.x + b.w, y: cb.y }, { x: 1, y: 0 }, { x: 1, y: 0 }];
    }
    const dist = Math.hypot(p3.x - p0.x, p3.y - p0.y);
    // How far the curve runs straight out of a side: half the distance along that side's axis.
    const along = d0.x !== 0 ? Math.abs(p3.x - p0.x) : Math.abs(p3.y - p0.y);
    const reach = d0.x === d3.x && d0.y === d3.y ? 30 : Math.max(12, Math.min(120, along / 2));
    const normal = { x: -(p3.y - p0.y) / (dist || 1), y: (p3.x - p0.x) / (dist || 1) };
    const p1 = { x: p0.x + d0.x * reach + normal.x * bend, y: p0.y + d0.y * reach + normal.y * bend };
    const p2 = { x: p3.x + d3.x * reach + normal.x * bend, y: p3.y + d3.y * reach + normal.y * bend };
    // Shorten the curve for the arrowhead.
    const ARROW = 8;
    const tip = p3;
    const dl = Math.hypot(p3.x - p2.x, p3.y - p2.y) || 1;
    const ux = (p3.x - p2.x) / dl;
    const uy = (p3.y - p2.y) / dl;
    const end = { x: tip.x - ux * ARROW, y: tip.y - uy * ARROW };
    const stroke = color(e.attrs.color, "#000000");
    edgesOut.push(
      `<g class="edge"><title>${xml(e.attrs.tooltip ?? `${e.from}->${e.to}`)}</title>` +
        `<path d="M${num(p0.x)},${num(p0.y)} C${num(p1.x)},${num(p1.y)} ${num(p2.x)},${num(p2.y)} ${num(end.x)},${num(end.y)}" fill="none" stroke="${stroke}" stroke-width="1"${dashArray(st)}/>` +
        (g.directed
          ? `<polygon points="${num(tip.x)},${num(tip.y)} ${num(end.x - uy * 3.5)},${num(end.y + ux * 3.5)} ${num(end.x + uy * 3.5)},${num(end.y - ux * 3.5)}" fill="${stroke}" stroke="${stroke}"/>`
          : "") +
        "</g>",
    );
    const label = e.attrs.label;
    if (!label) continue;
    const fs = size(e.attrs, 14);
    const lines = labelLines(label, e.from, g.name);
    const lw = Math.max(...lines.map((l) => textWidth(l, fs))) + 4;
    const lh = lines.length * fs * 1.15 + 2;
    const at = (t: number): Point => {
      const s = 1 - t;
      return {
        x: s * s * s * p0.x + 3 * s * s * t * p1.x + 3 * s * t * t * p2.x + t * t * t * end.x,
        y: s * s * s * p0.y + 3 * s * s * t * p1.y + 3 * s * t * t * p2.y + t * t * t * end.y,
      };
    };
    const candidates = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82];
    let chosen: Box | undefined;
    for (const t of candidates) {
      const c = at(t);
      const box = { x: c.x - lw / 2, y: c.y - lh / 2, w: lw, h: lh };
      if (placedLabels.some((o) => overlaps(o, box)) || nodeBox.some((o) => overlaps(o, box))) continue;
      chosen = box;
      break;
    }
    if (!chosen) {
      const c = at(0.5);
      chosen = { x: c.x - lw / 2, y: c.y - lh / 2, w: lw, h: lh };
      for (let tries = 0; tries < 12 && placedLabels.some((o) => overlaps(o, chosen!)); tries++) chosen.y += lh;
    }
    placedLabels.push(chosen);
    const fill = color(e.attrs.fontcolor, "#000000");
    labelsOut.push(
      `<g class="edge-label"><rect x="${num(chosen.x)}" y="${num(chosen.y)}" width="${num(chosen.w)}" height="${num(chosen.h)}" fill="#ffffff" fill-opacity="0.85" stroke="none"/>` +
        lines.map((l, i) => text(chosen!.x + chosen!.w / 2, chosen!.y + 1 + (i + 0.82) * fs * 1.15, l, fs, "middle", fill)).join("") +
        "</g>",
    );
  }
  out.push(...edgesOut);

  // Nodes.
  nodes.forEach((node, v) => {
    const st = styles(node.attrs);
    if (st.has("invis")) return;
    const box = nodeBox[v]!;
    const shape = (node.attrs.shape ?? "ellipse").toLowerCase();
    const fill = st.has("filled") ? color(node.attrs.fillcolor ?? node.attrs.color, "#d3d3d3") : "#ffffff";
    const stroke = color(node.attrs.color, "#000000");
    const parts: string[] = [`<g class="node"><title>${xml(node.attrs.tooltip ?? node.id)}</title>`];
    const cx = box.x + box.w / 2;
    const cy = box.y + box.h / 2;
    if (shape === "ellipse" || shape === "oval" || shape === "circle") {
      parts.push(`<ellipse cx="${num(cx)}" cy="${num(cy)}" rx="${num(box.w / 2)}" ry="${num(box.h / 2)}" fill="${fill}" stroke="${stroke}"${dashArray(st)}/>`);
    } else if (shape === "point") {
      parts.push(`<circle cx="${num(cx)}" cy="${num(cy)}" r="3" fill="${stroke}"/>`);
    } else if (shape !== "plaintext" && shape !== "plain" && shape !== "none") {
      parts.push(
        `<rect x="${num(box.x)}" y="${num(box.y)}" width="${num(box.w)}" height="${num(box.h)}" rx="${st.has("rounded") ? 6 : 0}" fill="${fill}" stroke="${stroke}"${dashArray(st)}/>`,
      );
    }
    if (shape !== "point") {
      const fs = size(node.attrs, 14);
      const lines = nodeLines[v]!;
      const top = cy - (lines.length * fs * 1.2) / 2;
      lines.forEach((line, i) => parts.push(text(cx, top + (i + 0.8) * fs * 1.2, line, fs, "middle", color(node.attrs.fontcolor, "#000000"))));
    }
    parts.push("</g>");
    out.push(parts.join(""));
  });
  out.push(...labelsOut);
  if (options.note) out.push(text(width - MARGIN, height - MARGIN + 2, options.note, noteFs, "end", "#888888"));
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
