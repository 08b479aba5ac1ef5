/**
 * Resolves the elaborated graph into module-to-module connections: follows
 * `=` through configurations until only modules remain (nesC's connection
 * graph), and checks what nesC checks: outer interfaces equated, no equate
 * cycles, indexes in range, every used command connected or defaulted.
 */
import type { Diagnostic, SourceLocation } from "./diagnostics.ts";
import type { ElaboratedGraph, EndRef, InstanceNode, SlotInfo, WireEdge } from "./elaborate.ts";

/** An index on one side: a number, every index (identity), or none (single interface). */
export type IndexSel = number | "whole" | null;

export interface Connection {
  readonly user: number;
  readonly userSlot: string;
  readonly userIndex: IndexSel;
  readonly provider: number;
  readonly providerSlot: string;
  readonly providerIndex: IndexSel;
  /** The wire that made it, for messages. */
  readonly at: SourceLocation | undefined;
}

export interface ConnectedGraph {
  readonly connections: readonly Connection[];
  readonly diagnostics: readonly Diagnostic[];
}

const key = (instance: number, slot: string) => `${instance}\u0000${slot}`;

interface State {
  readonly instance: number;
  readonly slot: string;
  readonly sel: IndexSel;
  readonly userIndex: IndexSel;
  /** Where the index we carry was chosen (for out-of-range messages). */
  readonly indexAt?: SourceLocation | undefined;
}

export function connect(graph: ElaboratedGraph): ConnectedGraph {
  const diagnostics: Diagnostic[] = [];
  const inst = (id: number): InstanceNode => graph.instances[id]!;
  const slotOf = (ref: { instance: number; slot: string }): SlotInfo => inst(ref.instance).slots.get(ref.slot)!;
  const label = (instance: number, slot: string, sel: IndexSel) =>
    `${inst(instance).path}.${slot}${typeof sel === "number" ? `[${sel}]` : ""}`;

  // Edges out of a user-side endpoint: wires (to a provider) and equates where it is the inner side (up to the outer).
  const userEdges = new Map<string, WireEdge[]>();
  // Edges out of a provider-side configuration endpoint: equates where it is the outer side (down to the inner).
  const providerEdges = new Map<string, WireEdge[]>();
  const equated = new Set<string>();
  const push = (map: Map<string, WireEdge[]>, k: string, w: WireEdge) => {
    const list = map.get(k);
    if (list) list.push(w);
    else map.set(k, [w]);
  };
  for (const w of graph.wires) {
    if (w.kind === "wire") {
      push(userEdges, key(w.from.instance, w.from.slot), w);
    } else {
      equated.add(key(w.from.instance, w.from.slot));
      if (slotOf(w.from).role === "user") push(userEdges, key(w.to.instance, w.to.slot), w);
      else push(providerEdges, key(w.from.instance, w.from.slot), w);
    }
  }

  // Every outer interface of a configuration must be equated to an inner one.
  for (const node of graph.instances) {
    if (node.kind !== "configuration") continue;
    for (const slot of node.slots.values()) {
      if (!equated.has(key(node.id, slot.name))) {
        diagnostics.push({
          severity: "error",
          message: `\`${node.path}.${slot.name}' not connected: configuration ${node.component.name} ${slot.role === "provider" ? "provides" : "uses"} ${slot.name} but never equates it to an inner component's (c.equate(c.${slot.role === "provider" ? "provides" : "uses"}.${slot.name}, inner.${slot.name}))`,
          location: node.definedAt,
          instance: node.path,
        });
      }
    }
  }

  /**
   * Moves across one edge from end `a` (the side we are on) to end `b`,
   * carrying the index. Returns null when this edge does not apply to the index we carry.
   */
  const cross = (state: State, a: EndRef, b: EndRef, at: SourceLocation | undefined): State | null => {
    let userIndex = state.userIndex;
    let sel: IndexSel;
    if (a.whole) {
      sel = b.whole ? state.sel : b.index;
    } else if (a.index !== null) {
      if (state.sel === "whole") {
        userIndex = userIndex === "whole" ? a.index : userIndex;
      } else if (state.sel !== a.index) {
        return null;
      }
      sel = b.whole ? "whole" : b.index;
    } else {
      sel = b.whole ? "whole" : b.index;
    }
    const indexAt = typeof sel === "number" && b.index !== null ? at : state.indexAt;
    return { instance: b.instance, slot: b.slot, sel, userIndex, indexAt };
  };

  const connections: Connection[] = [];
  const reportedCycles = new Set<string>();
  // Off while walking only to find cycles, so ranges are reported once.
  let reportRanges = true;

  const down = (state: State, via: WireEdge, path: string[]) => {
    const node = inst(state.instance);
    const k = `${key(state.instance, state.slot)}@${String(state.sel)}`;
    if (path.includes(k)) {
      cycle(path, k, via);
      return;
    }
    if (node.kind === "module") {
      const slot = node.slots.get(state.slot)!;
      if (typeof state.sel === "number" && slot.count !== undefined && state.sel >= slot.count) {
        // Wired straight to the module, elaboration already said so at the `.at(i)`.
        if (reportRanges && !(via.to.instance === state.instance && via.to.index === state.sel)) {
          diagnostics.push({
            severity: "error",
            message:
              `constant out of range: \`${label(state.instance, state.slot, null)}' has indexes 0..${slot.count - 1}, but index ${state.sel} is wired to it` +
              (slot.count === 0 ? " (its count is 0: do unique() and uniqueCount() use the same key?)" : ""),
            location: state.indexAt ?? via.at,
            instance: node.path,
          });
        }
        return;
      }
      connections.push({
        user: -1,
        userSlot: "",
        userIndex: state.userIndex,
        provider: state.instance,
        providerSlot: state.slot,
        providerIndex: state.sel,
        at: via.at,
      });
      return;
    }
    for (const w of providerEdges.get(key(state.instance, state.slot)) ?? []) {
      const next = cross(state, w.from, w.to, w.at);
      if (next) down(next, w, [...path, k]);
    }
  };

  const up = (state: State, path: string[], user: { instance: number; slot: string }, via?: WireEdge) => {
    const k = `${key(state.instance, state.slot)}@${String(state.sel)}`;
    if (path.includes(k)) {
      cycle(path, k, via);
      return;
    }
    for (const w of userEdges.get(key(state.instance, state.slot)) ?? []) {
      if (w.kind === "wire") {
        const next = cross(state, w.from, w.to, w.at);
        if (!next) continue;
        const before = connections.length;
        down(next, w, [...path, k]);
        for (let i = before; i < connections.length; i++) {
          const c = connections[i]!;
          connections[i] = { ...c, user: user.instance, userSlot: user.slot };
        }
      } else {
        const next = cross(state, w.to, w.from, w.at);
        if (next) up(next, [...path, k], user, w);
      }
    }
  };

  const cycle = (path: string[], k: string, via: WireEdge | undefined) => {
    const start = path.indexOf(k);
    const names = [...path.slice(start), k].map((p) => {
      const [i, rest] = p.split("\u0000");
      return `${inst(Number(i)).path}.${rest!.split("@")[0]}`;
    });
    const id = names.slice(0, -1).sort().join(",");
    if (reportedCycles.has(id)) return;
    reportedCycles.add(id);
    diagnostics.push({
      severity: "error",
      message: `cycle in configuration: ${names.join(" = ")}`,
      location: via?.at,
      // The configuration whose equate closed the circle, as other refusals name theirs.
      instance: via === undefined ? undefined : inst(via.config).path,
    });
  };

  for (const node of graph.instances) {
    if (node.kind !== "module") continue;
    for (const slot of node.slots.values()) {
      if (slot.role !== "user") continue;
      const sel: IndexSel = slot.parameterized ? "whole" : null;
      up({ instance: node.id, slot: slot.name, sel, userIndex: sel }, [], { instance: node.id, slot: slot.name });
    }
  }

  // Equate cycles that no module reaches (a configuration nobody wires) are errors too.
  reportRanges = false;
  for (const node of graph.instances) {
    if (node.kind !== "configuration") continue;
    for (const slot of node.slots.values()) {
      if (slot.role !== "provider") continue;
      const before = connections.length;
      const sel: IndexSel = slot.parameterized ? "whole" : null;
      for (const w of providerEdges.get(key(node.id, slot.name)) ?? []) {
        const next = cross({ instance: node.id, slot: slot.name, sel, userIndex: sel }, w.from, w.to, w.at);
        if (next) down(next, w, [`${key(node.id, slot.name)}@${String(sel)}`]);
      }
      connections.length = before; // only looking for cycles here
    }
  }
  reportRanges = true;

  // A used interface at one index: check it is in the user's own range.
  for (const c of connections) {
    const slot = inst(c.user).slots.get(c.userSlot)!;
    if (typeof c.userIndex === "number" && slot.count !== undefined && c.userIndex >= slot.count) {
      diagnostics.push({
        severity: "error",
        message: `constant out of range: \`${label(c.user, c.userSlot, null)}' has indexes 0..${slot.count - 1}, but index ${c.userIndex} is wired`,
        location: c.at,
        instance: inst(c.user).path,
      });
    }
  }
  return { connections, diagnostics };
}
