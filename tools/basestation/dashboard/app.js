// The base station's live dashboard: charts per mote and field (uPlot), the
// motes' statistics, the ports, the collection tree and a command form. Data
// come from the JSON API and the server-sent event stream /api/events.
/* global uPlot */

const WINDOW_MS = 10 * 60 * 1000;
const MAX_POINTS = 3000;
const $ = (sel) => document.querySelector(sel);

const state = {
  motes: new Map(), // mote -> summary
  ports: new Map(), // path -> info
  series: new Map(), // "mote/field" -> { mote, field, unit, xs, ys, chart, el, dirty }
  messages: [],
};

// The token may come in the URL's fragment (#token=...), which is never sent to the server.
const hashToken = new URLSearchParams(location.hash.slice(1)).get("token");
if (hashToken) {
  sessionStorage.setItem("moteToken", hashToken);
  history.replaceState(null, "", location.pathname);
}
$("#command-token").value = sessionStorage.getItem("moteToken") ?? "";

const fmtAge = (t) => {
  const s = Math.max(0, (Date.now() - t) / 1000);
  return s < 60 ? `${s.toFixed(0)} s ago` : s < 3600 ? `${(s / 60).toFixed(0)} min ago` : `${(s / 3600).toFixed(1)} h ago`;
};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// ---------------------------------------------------------------------------
// Charts

function seriesFor(mote, field, unit) {
  const key = `${mote}/${field}`;
  let s = state.series.get(key);
  if (s) return s;
  $("#no-readings")?.remove();
  const el = document.createElement("div");
  el.className = "chart";
  el.dataset.mote = String(mote);
  el.dataset.field = field;
  el.dataset.points = "0";
  el.innerHTML = `<h3>mote ${esc(mote)} · ${esc(field)} <span class="muted">${unit ? `(${esc(unit)})` : ""}</span></h3>`;
  // Keep charts ordered by mote, then field.
  const charts = $("#charts");
  const after = [...charts.children].find((c) => Number(c.dataset.mote) > mote || (Number(c.dataset.mote) === mote && c.dataset.field > field));
  charts.insertBefore(el, after ?? null);
  const width = Math.max(280, el.clientWidth - 10);
  const chart = new uPlot(
    {
      width,
      height: 140,
      legend: { show: false },
      scales: { x: { time: true } },
      series: [{}, { label: field, stroke: `hsl(${(mote * 67) % 360} 65% 42%)`, width: 1.5, points: { show: false } }],
      axes: [{ size: 30 }, { size: 54 }],
    },
    [[], []],
    el,
  );
  s = { mote, field, unit, xs: [], ys: [], chart, el, dirty: false };
  state.series.set(key, s);
  return s;
}

function addPoints(s, points) {
  let sorted = true;
  for (const [t, v] of points) {
    const x = t / 1000;
    if (s.xs.length && x < s.xs[s.xs.length - 1]) sorted = false;
    s.xs.push(x);
    s.ys.push(v);
  }
  if (!sorted) {
    const idx = s.xs.map((_, i) => i).sort((a, b) => s.xs[a] - s.xs[b] || a - b);
    const xs = [];
    const ys = [];
    for (const i of idx) {
      // Drop exact repeats (history and live overlapping).
      if (xs.length && xs[xs.length - 1] === s.xs[i] && ys[ys.length - 1] === s.ys[i]) continue;
      xs.push(s.xs[i]);
      ys.push(s.ys[i]);
    }
    s.xs = xs;
    s.ys = ys;
  }
  const cutoff = (Date.now() - WINDOW_MS) / 1000;
  let drop = 0;
  while (drop < s.xs.length && (s.xs[drop] < cutoff || s.xs.length - drop > MAX_POINTS)) drop++;
  if (drop) {
    s.xs.splice(0, drop);
    s.ys.splice(0, drop);
  }
  s.dirty = true;
  scheduleDraw();
}

let drawQueued = false;
function scheduleDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    for (const s of state.series.values()) {
      if (!s.dirty) continue;
      s.dirty = false;
      s.chart.setData([s.xs, s.ys]);
      s.el.dataset.points = String(s.xs.length);
    }
  });
}

async function backfill(mote, field, unit) {
  const s = seriesFor(mote, field, unit);
  const r = await fetch(`/api/history?mote=${mote}&field=${encodeURIComponent(field)}&from=-10m&limit=${MAX_POINTS}`);
  if (!r.ok) return;
  const h = await r.json();
  addPoints(s, h.points);
}

// ---------------------------------------------------------------------------
// Motes, ports, tree

function renderMotes() {
  const rows = [...state.motes.values()].sort((a, b) => a.mote - b.mote);
  const now = Date.now();
  $("#motes tbody").innerHTML = rows
    .map((m) => {
      const latest = Object.entries(m.latest)
        .map(([f, l]) => `${esc(f)} ${esc(l.value)}`)
        .join(", ");
      const loss = m.packets + m.lost ? ` (${((100 * m.lost) / (m.packets + m.lost)).toFixed(1)}%)` : "";
      return `<tr data-mote="${m.mote}" class="${now - m.lastSeen > 60_000 ? "stale" : ""}"><td>${m.mote}</td><td title="${esc(m.port)}">${esc(m.port)}</td><td>${m.packets}</td><td>${m.lost}${loss}</td><td>${m.duplicates}</td><td>${m.late}</td><td>${m.reboots}</td><td>${m.crcErrors}</td><td>${fmtAge(m.lastSeen)}</td><td>${m.status.interval ?? ""}</td><td>${m.status.version ?? ""}</td><td>${m.parent ?? ""}</td><td>${m.etx ?? ""}</td><td>${latest}</td></tr>`;
    })
    .join("");
  renderTree();
}

function renderPorts() {
  const list = [...state.ports.values()];
  $("#ports").innerHTML = list
    .map((p) => {
      const problem = p.status !== "open" && p.problem ? ` <span class="problem">${esc(p.problem.message)}</span> — ${esc(p.problem.advice)}` : "";
      return `<li data-path="${esc(p.path)}"><span class="badge ${esc(p.status)}">${esc(p.status)}</span> <code>${esc(p.path)}</code> ${esc(p.baud)} baud${problem}</li>`;
    })
    .join("");
  const sel = $("#command-port");
  const current = sel.value;
  sel.innerHTML = `<option value="">automatic</option>${list.map((p) => `<option value="${esc(p.path)}">${esc(p.path)}</option>`).join("")}`;
  sel.value = current;
}

function renderTree() {
  // Parent 0xFFFF: CTP's "no route yet", not an edge.
  const nodes = [...state.motes.values()].filter((m) => m.parent !== undefined && m.parent !== 0xffff);
  if (nodes.length === 0) return;
  const byId = new Map(nodes.map((n) => [n.mote, n]));
  const children = new Map();
  const roots = [];
  for (const n of nodes) {
    const isRoot = n.parent === n.mote || n.etx === 0 || !byId.has(n.parent);
    if (isRoot) roots.push(n.mote);
    else {
      if (!children.has(n.parent)) children.set(n.parent, []);
      children.get(n.parent).push(n.mote);
    }
  }
  // Tidy layout: leaves left to right, parents centred over their children.
  const pos = new Map();
  let nextX = 0;
  let maxDepth = 0;
  const place = (id, depth, seen) => {
    if (seen.has(id)) return nextX;
    seen.add(id);
    maxDepth = Math.max(maxDepth, depth);
    const kids = (children.get(id) ?? []).sort((a, b) => a - b);
    let x;
    if (kids.length === 0) x = nextX++;
    else {
      const xs = kids.map((k) => place(k, depth + 1, seen));
      x = (xs[0] + xs[xs.length - 1]) / 2;
    }
    pos.set(id, { x, depth });
    return x;
  };
  const seen = new Set();
  for (const r of roots.sort((a, b) => a - b)) place(r, 0, seen);
  const W = Math.max(1, nextX) * 34 + 20;
  const H = (maxDepth + 1) * 46 + 20;
  const px = (p) => 20 + p.x * 34;
  const py = (p) => 20 + p.depth * 46;
  let svg = `<svg viewBox="0 0 ${W} ${H}" data-nodes="${pos.size}" xmlns="http://www.w3.org/2000/svg">`;
  for (const [id, p] of pos) {
    const n = byId.get(id);
    const parent = pos.get(n.parent);
    if (parent && n.parent !== id) svg += `<line x1="${px(p)}" y1="${py(p)}" x2="${px(parent)}" y2="${py(parent)}" stroke="#9aa3b5"/>`;
  }
  for (const [id, p] of pos) {
    const n = byId.get(id);
    svg += `<g><title>mote ${id}, parent ${n.parent}, ETX ${n.etx ?? "?"}</title><circle cx="${px(p)}" cy="${py(p)}" r="11" fill="${roots.includes(id) ? "#1a7f37" : "#3b6fd1"}"/><text x="${px(p)}" y="${py(p) + 4}" text-anchor="middle" fill="#fff">${id}</text></g>`;
  }
  svg += "</svg>";
  $("#tree").innerHTML = svg;
}

// ---------------------------------------------------------------------------
// Commands

function showKind() {
  const kind = $("#command-kind").value;
  for (const el of document.querySelectorAll("[data-kind]")) el.hidden = el.dataset.kind !== kind;
  $("#command-interval").required = kind === "interval";
}
$("#command-kind").addEventListener("change", showKind);

$("#command-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const out = $("#command-result");
  const token = $("#command-token").value.trim();
  sessionStorage.setItem("moteToken", token);
  const body = {};
  const kind = $("#command-kind").value;
  try {
    if (kind === "interval") body.interval = Number($("#command-interval").value);
    else {
      body.message = $("#command-message").value;
      body.fields = JSON.parse($("#command-fields").value || "{}");
    }
  } catch (e) {
    out.className = "bad";
    out.textContent = `fields: ${e.message}`;
    return;
  }
  const dest = $("#command-dest").value;
  if (dest !== "") body.dest = Number(dest);
  const port = $("#command-port").value;
  if (port) body.port = port;
  out.className = "muted";
  out.textContent = "sending…";
  try {
    const r = await fetch("/api/command", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const j = await r.json();
    if (r.ok) {
      out.className = "ok";
      out.textContent = `${j.description}: ${j.results.map((x) => `ACKed on ${x.port} (seq ${x.seq}, ${x.attempts} ${x.attempts === 1 ? "try" : "tries"}, ${x.ms.toFixed(0)} ms)`).join("; ")}`;
    } else {
      out.className = "bad";
      out.textContent = j.results ? j.results.map((x) => `${x.port}: ${x.ok ? "ACKed" : x.error}`).join("; ") : `${j.error}${j.parameter ? ` [${j.parameter}]` : ""}`;
    }
  } catch (e) {
    out.className = "bad";
    out.textContent = String(e);
  }
});

function renderMessages() {
  $("#command-message").innerHTML = state.messages.map((m) => `<option>${esc(m.name)}</option>`).join("");
}

// ---------------------------------------------------------------------------
// Live events

function connect() {
  const live = $("#live");
  const es = new EventSource("/api/events");
  es.onopen = () => {
    live.className = "badge on";
    live.textContent = "live";
  };
  es.onerror = () => {
    live.className = "badge off";
    live.textContent = "reconnecting…";
  };
  es.addEventListener("hello", (ev) => {
    const h = JSON.parse(ev.data);
    $("#station").textContent = h.station;
    document.title = `mote base station ${h.station}`;
    state.messages = h.messages;
    renderMessages();
    for (const p of h.ports) state.ports.set(p.path, p);
    renderPorts();
    for (const m of h.motes) {
      state.motes.set(m.mote, m);
      for (const [field, l] of Object.entries(m.latest)) {
        if (!state.series.has(`${m.mote}/${field}`)) backfill(m.mote, field, l.unit);
      }
    }
    renderMotes();
  });
  es.addEventListener("readings", (ev) => {
    const r = JSON.parse(ev.data);
    $("#stored").textContent = `${r.committed.toLocaleString()} packets stored`;
    for (const s of r.series) addPoints(seriesFor(s.mote, s.field, s.unit), s.points);
  });
  es.addEventListener("motes", (ev) => {
    for (const m of JSON.parse(ev.data)) state.motes.set(m.mote, m);
    renderMotesSoon();
  });
  es.addEventListener("port", (ev) => {
    const p = JSON.parse(ev.data);
    state.ports.set(p.path, { ...state.ports.get(p.path), ...p });
    renderPorts();
  });
  es.addEventListener("command", (ev) => {
    const c = JSON.parse(ev.data);
    if (c.source !== "http") {
      $("#command-result").textContent = `${c.source}: ${c.description}`;
    }
  });
}

let motesTimer;
function renderMotesSoon() {
  if (motesTimer) return;
  motesTimer = setTimeout(() => {
    motesTimer = undefined;
    renderMotes();
  }, 250);
}
setInterval(renderMotes, 5000);

showKind();
connect();
