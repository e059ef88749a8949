// The nextgo dashboard: state arrives over server-sent events from
// /_nextgo/events; one request's detail comes from /_nextgo/api/requests/ID.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { mode: "dev", routes: [], entries: new Map(), selected: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}

function ms(v) {
  if (v == null) return "";
  if (v < 1) return v.toFixed(2) + "ms";
  if (v < 1000) return Math.round(v) + "ms";
  return (v / 1000).toFixed(1) + "s";
}

function bytes(n) {
  if (!n) return "";
  if (n < 1024) return n + " B";
  if (n < 1 << 20) return (n / 1024).toFixed(1) + " kB";
  return (n / (1 << 20)).toFixed(1) + " MB";
}

function renderBuild(b) {
  const box = $("#build");
  box.dataset.phase = b.phase;
  let text = b.phase === "compiling" ? "Compiling…" : b.phase === "ready" ? `Ready · ${b.routes} routes` : "Build failed";
  if (b.phase === "ready" && b.durationMs) text += ` in ${ms(b.durationMs)}`;
  if (b.broken && b.broken.length) text += ` · ${b.broken.length} failed to compile`;
  box.textContent = text;
  const errs = $("#build-errors"), frames = $("#frames");
  frames.replaceChildren();
  if (b.error) {
    errs.hidden = false;
    for (const f of b.frames || []) {
      const pre = el("pre");
      for (const l of f.source || []) {
        pre.append(el("span", { class: l.mark ? "mark" : "" }, `${String(l.n).padStart(4)} | ${l.text}\n`));
      }
      frames.append(el("div", { class: "frame" }, el("h4", {}, `${f.file}:${f.line}${f.col ? ":" + f.col : ""}: ${f.message}`), pre));
    }
    frames.append(el("pre", { class: "output" }, b.error));
  } else {
    errs.hidden = true;
  }
}

function renderRoutes() {
  const body = $("#routes tbody");
  body.replaceChildren();
  for (const r of state.routes) {
    body.append(el("tr", { class: r.broken ? "broken" : "", "data-pattern": r.pattern },
      el("td", {}, el("code", {}, r.pattern)), el("td", {}, el("code", {}, r.file)), el("td", {}, r.kind),
      el("td", {}, (r.methods || ["*"]).join(", ")), el("td", {}, r.maxDuration ? r.maxDuration + "s" : ""),
      el("td", {}, r.memory ? r.memory + " MB" : ""), el("td", {}, r.bodyLimit || ""), el("td", {}, r.cache || ""),
      el("td", { class: "start" }, r.zipSize ? `${bytes(r.zipSize)} zip · ${bytes(r.binarySize)} binary` : ""),
      el("td", { class: "start" }, r.warm), el("td", { class: "start" }, r.coldStarts),
      el("td", { class: "start" }, r.lastInitMs ? ms(r.lastInitMs) : "")));
  }
  $("#no-routes").hidden = state.routes.length > 0;
  const fn = $("#c-fn"), chosen = fn.value;
  fn.replaceChildren();
  for (const r of state.routes) if (r.function) fn.append(el("option", { value: r.function }, `${r.pattern} (${r.function})`));
  if (chosen) fn.value = chosen;
}

function entryRow(e) {
  const row = el("tr", { "data-id": e.id, class: e.id === state.selected ? "selected" : "" },
    el("td", {}, new Date(e.time).toLocaleTimeString()), el("td", {}, e.method), el("td", {}, el("code", {}, e.path)),
    el("td", { class: "s" + String(e.status)[0] }, e.status), el("td", {}, ms(e.durationMs)),
    el("td", {}, el("code", {}, e.by || "-")), el("td", {}, e.cache || ""),
    el("td", { class: "start" }, e.cold == null ? "" : e.cold ? `cold (init ${ms(e.initMs)})` : "warm"),
    el("td", {}, el("code", {}, e.id + (e.replayOf ? ` ↻ ${e.replayOf}` : ""))));
  row.addEventListener("click", () => select(e.id));
  return row;
}

function putEntry(e) {
  const body = $("#requests tbody");
  const old = body.querySelector(`tr[data-id="${e.id}"]`);
  const row = entryRow(e);
  if (old) old.replaceWith(row); else body.prepend(row);
  state.entries.set(e.id, e);
  if (e.id === state.selected) select(e.id);
}

function kv(table, h) {
  table.replaceChildren();
  for (const k of Object.keys(h || {}).sort()) for (const v of h[k]) table.append(el("tr", {}, el("td", {}, k), el("td", {}, v)));
}

function body(b) {
  if (!b || !b.size) return "(empty)";
  if (b.binary) return `(binary, ${bytes(b.size)})`;
  return b.text + (b.truncated ? `\n… (${bytes(b.size)} in all)` : "");
}

async function select(id) {
  state.selected = id;
  for (const tr of document.querySelectorAll("#requests tbody tr")) tr.classList.toggle("selected", tr.dataset.id === id);
  const res = await fetch(`/_nextgo/api/requests/${id}`);
  if (!res.ok) return;
  const e = await res.json();
  if (state.selected !== id) return;
  $("#detail").hidden = false;
  $("#detail").dataset.id = id;
  $("#d-id").textContent = id;
  $("#d-line").textContent = `${e.method} ${e.path} → ${e.status} (${e.by || "-"})${e.cache ? " · cache " + e.cache : ""}${e.lambdaRequestId ? " · Lambda request " + e.lambdaRequestId : ""}`;
  $("#d-timing").textContent = `started ${new Date(e.time).toLocaleTimeString()}, took ${ms(e.durationMs)}` + (e.cold == null ? "" : e.cold ? `, cold start (init ${ms(e.initMs)})` : ", warm");
  kv($("#d-reqh"), e.requestHeader);
  kv($("#d-resh"), e.responseHeader);
  $("#d-reqb").textContent = body(e.requestBody);
  $("#d-resb").textContent = body(e.responseBody);
  $("#d-logs").textContent = (e.logs || []).map((l) => l.message).join("\n") || "(no log lines carry this request's id)";
}

$("#replay").addEventListener("click", async () => {
  const id = $("#detail").dataset.id;
  const res = await fetch(`/_nextgo/api/requests/${id}/replay`, { method: "POST" });
  const out = await res.json();
  if (out.id) select(out.id);
});

$("#clear").addEventListener("click", () => { $("#requests tbody").replaceChildren(); state.entries.clear(); });

$("#compose").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("#c-response").textContent = "invoking…";
  const req = { function: $("#c-fn").value, kind: $("#c-kind").value, method: $("#c-method").value, path: $("#c-path").value, body: $("#c-body").value };
  const res = await fetch("/_nextgo/api/invoke", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) });
  const out = await res.json();
  if (out.error && !out.event) { $("#c-event").textContent = ""; $("#c-response").textContent = "error: " + out.error; return; }
  $("#c-event").textContent = JSON.stringify(out.event, null, 2);
  let text = out.response;
  try { text = JSON.stringify(JSON.parse(out.response), null, 2); } catch (_) {}
  $("#c-response").textContent = (out.error ? `error: ${out.error}\n` : "") + text + `\n\n(${out.cold ? "cold" : "warm"}, ${ms(out.durationMs)}, request ${out.requestId || "-"})`;
  $("#c-response").dataset.kind = req.kind;
});

function connect() {
  const es = new EventSource("/_nextgo/events");
  es.addEventListener("open", () => $("#conn").classList.add("live"));
  es.addEventListener("error", () => $("#conn").classList.remove("live"));
  es.addEventListener("snapshot", (m) => {
    const s = JSON.parse(m.data);
    state.mode = s.mode;
    document.body.classList.toggle("mode-start", s.mode === "start");
    $("#mode").textContent = s.mode;
    state.routes = s.routes || [];
    renderRoutes();
    renderBuild(s.build);
    $("#requests tbody").replaceChildren();
    for (const e of s.entries || []) putEntry(e);
    document.body.dataset.ready = "1";
  });
  es.addEventListener("routes", (m) => { state.routes = JSON.parse(m.data) || []; renderRoutes(); });
  es.addEventListener("route", (m) => {
    const r = JSON.parse(m.data);
    state.routes = state.routes.map((x) => (x.pattern === r.pattern ? r : x));
    renderRoutes();
  });
  es.addEventListener("build", (m) => renderBuild(JSON.parse(m.data)));
  es.addEventListener("entry", (m) => putEntry(JSON.parse(m.data)));
}

connect();
