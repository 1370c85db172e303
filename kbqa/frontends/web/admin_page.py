"""The admin page's HTML: one self-contained page (no outside resources, no framework) that reads and changes
everything through /api/admin/... (kbqa.frontends.web.admin). Every value from the log or the FAQ is put into the
page as text (``textContent``), never as HTML: the questions are whatever people typed."""
from __future__ import annotations

import html

_STYLE = """
body{font-family:system-ui,"WenQuanYi Micro Hei",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header .grow{flex:1}
main{padding:12px 20px;display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:14px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:0}
section.wide{grid-column:1/-1}
h2{font-size:15px;margin:4px 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #eaeef2;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
button{font-size:12px;padding:3px 8px;margin:1px;border:1px solid #d0d7de;border-radius:4px;background:#f6f8fa;cursor:pointer}
button.primary{background:#1f883d;color:#fff;border-color:#1a7f37}
button.danger{background:#cf222e;color:#fff;border-color:#a40e26}
input[type=text],textarea,select{font-size:13px;padding:3px;border:1px solid #d0d7de;border-radius:4px;box-sizing:border-box}
textarea{width:100%}
.muted{color:#656d76;font-size:12px}
.ok{color:#1a7f37}.bad{color:#cf222e}
.pill{display:inline-block;border-radius:10px;padding:0 7px;font-size:12px;background:#eaeef2}
.bar{height:10px;display:inline-block;vertical-align:middle}
#editor fieldset{border:0;padding:0;margin:6px 0}
#editor label{margin-right:12px;font-size:13px}
header .hdr{font-size:12px}.full{width:100%}
pre{white-space:pre-wrap;font-size:12px;background:#f6f8fa;padding:6px;margin:4px 0}
"""

_SCRIPT = r"""
"use strict";
const CSRF = document.body.dataset.csrf;
const $ = (sel) => document.querySelector(sel);
let TOPICS = [];
let CORRECTED = new Map();  // question -> its correction, to mark rows already settled

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}
function topicName(n) {
  if (n === null || n === undefined) return "(none near)";
  const t = TOPICS.find((x) => x.topic === n);
  return t ? `${n}. ${t.title}` : `${n}`;
}
async function api(method, path, body) {
  const opt = {method, credentials: "same-origin", headers: {"X-CSRF-Token": CSRF}};
  if (body !== undefined) {
    if (body instanceof ArrayBuffer) { opt.body = body; opt.headers["Content-Type"] = "application/octet-stream"; }
    else { opt.body = JSON.stringify(body); opt.headers["Content-Type"] = "application/json"; }
  }
  const r = await fetch(path, opt);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (r.status === 401) { location.href = "/admin"; throw new Error("logged out"); }
  if (!r.ok) throw new Error((data && data.error) || `HTTP ${r.status}`);
  return data;
}
function say(target, text, cls) { const t = $(target); t.textContent = text; t.className = cls || ""; }

// ---- the KB: versions, jobs, corrections ----
async function loadKb() {
  const kb = await api("GET", "/api/admin/kb");
  TOPICS = kb.topics;
  $("#kb-title").textContent = kb.title;
  $("#kb-version").textContent = kb.version || "?";
  $("#kb-previous").textContent = kb.previous || "none";
  $("#rollback").disabled = !kb.previous;
  const sel = $("#ed-topic");
  const keep = sel.value;
  sel.replaceChildren(el("option", {value: ""}, "(a new question)"),
    ...TOPICS.map((t) => el("option", {value: t.topic}, `${t.topic}. ${t.title}`)));
  sel.value = keep;
  const jobs = $("#jobs tbody");
  jobs.replaceChildren(...kb.jobs.map((j) => el("tr", {"data-job": j.id},
    el("td", {}, j.created || ""), el("td", {}, j.action + (j.correction && j.correction.kind ? ` (${j.correction.kind})` : "")),
    el("td", {class: j.state === "failed" ? "bad" : j.state === "swapped" ? "ok" : ""}, j.state),
    el("td", {}, `${j.version_from || ""} → ${j.version_to || ""}`), el("td", {}, j.message || ""))));
  CORRECTED = new Map(kb.corrections.map((c) => [c.question, c]));
  const cs = $("#corrections tbody");
  cs.replaceChildren(...kb.corrections.map((c) => el("tr", {"data-correction": c.id},
    el("td", {}, c.kind), el("td", {}, c.question),
    el("td", {}, c.kind === "curated" ? `@${c.author}` + (c.topic ? ` → ${topicName(c.topic)}` : " (new question)")
                                      : c.topic ? topicName(c.topic) : "refused"),
    el("td", {}, c.created || ""),
    el("td", {}, el("button", {class: "danger", onclick: () => follow(api("DELETE", `/api/admin/corrections/${c.id}`))}, "Remove")))));
  if (kb.overlay_error) say("#job-status", "overlay file: " + kb.overlay_error, "bad");
  if (kb.job) watch(kb.job.id);
}

async function follow(promise) {
  try { const job = await promise; watch(job.id); }
  catch (e) { say("#job-status", e.message, "bad"); }
}
async function watch(id) {
  for (;;) {
    let job;
    try { job = await api("GET", `/api/admin/kb/jobs/${id}`); }
    catch (e) { say("#job-status", e.message, "bad"); return; }
    const running = ["queued", "building", "testing"].includes(job.state);
    let text = `${job.action}: ${job.state}`;
    if (job.version_to) text += ` (${job.version_from || "?"} → ${job.version_to})`;
    if (job.message) text += ` — ${job.message}`;
    say("#job-status", text, job.state === "failed" ? "bad" : job.state === "swapped" ? "ok" : "");
    $("#job-status").dataset.state = job.state;
    $("#job-status").dataset.job = job.id;
    const broken = $("#broken");
    broken.replaceChildren(...((job.selftest && job.selftest.broken) || []).map((b) =>
      el("li", {}, `[${b.kind}] ${b.question} → got ${b.got}, expected ${b.expect}`)));
    if (!running) { await refresh(); return; }
    await new Promise((r) => setTimeout(r, 400));
  }
}

// ---- the correction editor, filled from a row ----
function edit(kind, question, topic, note) {
  $("#ed-question").value = question;
  $("#ed-note").value = note || "";
  for (const r of document.querySelectorAll("input[name=ed-kind]")) r.checked = r.value === kind;
  if (topic !== null && topic !== undefined) $("#ed-topic").value = String(topic);
  kindChanged();
  $("#editor").scrollIntoView({block: "nearest"});
  (kind === "curated" ? $("#ed-answer") : $("#ed-topic")).focus();
}
function kindChanged() {
  const kind = (document.querySelector("input[name=ed-kind]:checked") || {}).value;
  $("#ed-topic-row").hidden = kind === "out_of_scope";
  $("#ed-curated").hidden = kind !== "curated";
}
async function applyCorrection(ev) {
  ev.preventDefault();
  const kind = (document.querySelector("input[name=ed-kind]:checked") || {}).value;
  const topic = $("#ed-topic").value;
  const body = {kind, question: $("#ed-question").value, note: $("#ed-note").value,
                topic: kind === "out_of_scope" || topic === "" ? null : Number(topic)};
  if (kind === "curated") Object.assign(body, {answer: $("#ed-answer").value, author: $("#ed-author").value,
                                               author_title: $("#ed-author-title").value});
  await follow(api("POST", "/api/admin/corrections", body));
}
function settled(question) {
  const c = CORRECTED.get(question);
  if (!c) return null;
  const to = c.kind === "paraphrase" ? `→ ${c.topic}` : c.kind === "curated" ? `@${c.author}` : "refused";
  return el("span", {class: "pill ok settled"}, ` corrected: ${c.kind} ${to}`);
}
function actions(question, topic, note) {
  return el("td", {class: "actions"},
    el("button", {class: "act-paraphrase", title: "add it as another way to ask an FAQ question",
                  onclick: () => edit("paraphrase", question, topic, note)}, "Paraphrase…"),
    el("button", {class: "act-oos", title: "refuse it as not covered",
                  onclick: () => edit("out_of_scope", question, null, note)}, "Out of scope…"),
    el("button", {class: "act-curated", title: "write the answer yourself",
                  onclick: () => edit("curated", question, topic, note)}, "Curated answer…"));
}

// ---- what the log says ----
async function loadUnanswered() {
  const since = $("#since").value;
  const d = await api("GET", "/api/admin/unanswered" + (since ? `?since=${encodeURIComponent(since)}` : ""));
  const rows = [];
  for (const g of d.groups) {
    rows.push(el("tr", {class: "group"}, el("th", {colspan: 4},
      `Nearest: ${g.topic === null ? "(none near)" : topicName(g.topic)} — ${g.count} asked `,
      el("span", {class: "muted"}, `(${g.not_covered} not covered, ${g.low_confidence} low confidence, ${g.distinct} distinct; latest ${g.latest})`))));
    for (const ex of g.examples) {
      rows.push(el("tr", {class: "example", "data-question": ex.question},
        el("td", {class: "q"}, ex.question, settled(ex.question)),
        el("td", {}, el("span", {class: "pill"}, ex.status === "not_covered" ? "not covered" : `p=${ex.confidence.toFixed(2)}`)),
        el("td", {class: "muted"}, `${ex.created} · ${ex.frontend}`),
        actions(ex.question, g.topic, `unanswered ${ex.answer_id}`)));
    }
  }
  $("#unanswered tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", {colspan: 4, class: "muted"}, "Nothing went unanswered."))]));
}
async function loadThumbsDown() {
  const since = $("#since").value;
  const d = await api("GET", "/api/admin/thumbs-down" + (since ? `?since=${encodeURIComponent(since)}` : ""));
  const rows = d.thumbs_down.map((v) => el("tr", {class: "downvote", "data-question": v.question},
    el("td", {class: "q"}, v.question || "(question not kept)", settled(v.question)),
    el("td", {}, v.cited.length ? v.cited.map((c) => el("div", {}, `${c.expert || "(question text)"} — ${topicName(c.topic)}`)) : "—"),
    el("td", {class: "muted"}, `${v.created} · ${v.source}`),
    actions(v.question, v.topic, `thumbs-down ${v.answer_id || v.feedback_id}`)));
  $("#thumbs-down tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", {colspan: 4, class: "muted"}, "No thumbs down."))]));
}
function chart(items, label) {
  // a horizontal bar per row: cited (grey), thumbs up (green), thumbs down (red), drawn as SVG
  const ns = "http://www.w3.org/2000/svg";
  const max = Math.max(1, ...items.map((i) => i.cited + i.up + i.down));
  const h = 18, w = 560, left = 190;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${items.length * h + 4}`);
  svg.setAttribute("width", "100%");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  items.forEach((it, i) => {
    const y = i * h + 2;
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", 0); t.setAttribute("y", y + 12); t.setAttribute("font-size", 11);
    t.textContent = it.name.length > 15 ? it.name.slice(0, 14) + "…" : it.name;
    svg.append(t);
    let x = left;
    for (const [v, color] of [[it.cited, "#8c959f"], [it.up, "#1a7f37"], [it.down, "#cf222e"]]) {
      const bw = (v / max) * (w - left - 40);
      const r = document.createElementNS(ns, "rect");
      r.setAttribute("x", x); r.setAttribute("y", y + 2); r.setAttribute("width", bw); r.setAttribute("height", h - 6);
      r.setAttribute("fill", color);
      svg.append(r);
      x += bw;
    }
    const n = document.createElementNS(ns, "text");
    n.setAttribute("x", x + 4); n.setAttribute("y", y + 12); n.setAttribute("font-size", 11);
    n.textContent = `${it.cited} / +${it.up} / −${it.down}`;
    svg.append(n);
  });
  return svg;
}
async function loadStats() {
  const since = $("#since").value;
  const d = await api("GET", "/api/admin/stats" + (since ? `?since=${encodeURIComponent(since)}` : ""));
  const row = (name, t) => el("tr", {}, el("td", {}, name), el("td", {class: "num"}, t.cited),
                             el("td", {class: "num"}, t.up), el("td", {class: "num"}, t.down));
  $("#stats-topics tbody").replaceChildren(...d.topics.map((t) => row(topicName(t.topic), t)));
  $("#stats-experts tbody").replaceChildren(...d.experts.map((e) => row(e.expert, e)));
  $("#chart-topics").replaceChildren(chart(d.topics.map((t) => ({...t, name: topicName(t.topic)})), "per FAQ question"));
  $("#chart-experts").replaceChildren(chart(d.experts.map((e) => ({...e, name: e.expert})), "per expert"));
}

// ---- hit testing ----
async function hitTest(ev) {
  ev.preventDefault();
  const q = $("#hit-q").value;
  const out = $("#hit-result");
  out.replaceChildren(el("span", {class: "muted"}, "…"));
  let d;
  try { d = await api("GET", `/api/admin/hit-test?q=${encodeURIComponent(q)}&mode=${$("#hit-mode").value}`); }
  catch (e) { out.replaceChildren(el("span", {class: "bad"}, e.message)); return; }
  const route = d.route === "known"
    ? (d.route_detail.refused ? "an owner's correction: refused (out of scope)" : `an owner's correction: → ${topicName(d.route_detail.topic)}`)
    : d.route + (Object.keys(d.route_detail).length ? " " + JSON.stringify(d.route_detail) : "");
  const units = (rows) => el("table", {}, el("tbody", {}, ...rows.map((r) => el("tr", {},
    el("td", {}, r.rank ? `#${r.rank}` : ""), el("td", {}, r.unit), el("td", {}, topicName(r.topic)),
    el("td", {class: "num"}, r.score.toFixed(3))))));
  out.replaceChildren(
    el("p", {id: "hit-route"}, el("b", {}, "Route: "), route),
    el("p", {id: "hit-decision"}, el("b", {}, "Decision: "),
      el("span", {class: d.covered ? "ok" : "bad"}, d.covered ? "covered" : "not covered"),
      ` — p = ${d.confidence.toFixed(3)} (threshold ${d.threshold.toFixed(3)}; ${d.decider}; KB ${d.kb_version}, ${d.mode})`),
    el("table", {id: "hit-features"}, el("thead", {}, el("tr", {}, el("th", {}, "feature"), el("th", {}, "value"), el("th", {}, "weight"))),
      el("tbody", {}, ...Object.entries(d.features).map(([k, v]) => el("tr", {},
        el("td", {}, k), el("td", {class: "num"}, v), el("td", {class: "num"}, k in d.weights ? d.weights[k] : "")))),
      el("tr", {}, el("td", {}, "bias"), el("td", {}), el("td", {class: "num"}, d.weights.bias))),
    el("h3", {}, "Fused ranking"), units(d.fused),
    ...Object.entries(d.channels).map(([name, rows]) => [el("h3", {}, `Channel: ${name}` + (rows.length ? ` (weight ${rows[0].weight})` : "")), units(rows)]));
}

// ---- import preview ----
async function importPreview(ev) {
  ev.preventDefault();
  const f = $("#import-file").files[0];
  const out = $("#import-result");
  if (!f) { out.replaceChildren(el("span", {class: "bad"}, "choose a file first")); return; }
  let d;
  try { d = await api("POST", `/api/admin/import?name=${encodeURIComponent(f.name)}`, await f.arrayBuffer()); }
  catch (e) { out.replaceChildren(el("span", {class: "bad"}, e.message)); return; }
  const blob = new Blob([JSON.stringify(d.faq_json, null, 2)], {type: "application/json"});
  out.replaceChildren(el("pre", {}, d.report.join("\n")),
    el("ol", {}, ...d.questions.map((q) => el("li", {}, `${q.title} (${q.answers} answers, ${q.similar} similar)`))),
    el("a", {href: URL.createObjectURL(blob), download: "faq.json"}, "Download faq.json"),
    el("p", {class: "muted"}, "Serve it: put faq.json in a folder (reviewed in git), KBQA_CORPUS=DIR/faq.json kbqa build."));
}

async function refresh() {
  for (const f of [loadKb, loadUnanswered, loadThumbsDown, loadStats]) {
    try { await f(); } catch (e) { say("#job-status", e.message, "bad"); }
  }
}
document.addEventListener("DOMContentLoaded", () => {
  $("#refresh").addEventListener("click", refresh);
  $("#since").addEventListener("change", refresh);
  $("#rollback").addEventListener("click", () => follow(api("POST", "/api/admin/kb/rollback")));
  $("#logout").addEventListener("click", async () => { try { await api("POST", "/admin/logout"); } catch (e) {} location.href = "/admin"; });
  $("#editor").addEventListener("submit", applyCorrection);
  for (const r of document.querySelectorAll("input[name=ed-kind]")) r.addEventListener("change", kindChanged);
  $("#hit-form").addEventListener("submit", hitTest);
  $("#import-form").addEventListener("submit", importPreview);
  kindChanged();
  refresh();
});
"""

_BODY = """
<header><h1>kbqa admin</h1><span id="kb-title"></span><span class="grow"></span>
<span>KB <code id="kb-version"></code> (previous <code id="kb-previous"></code>)</span>
<button id="rollback" class="danger" disabled>Roll back</button>
<label class="hdr">since <select id="since"><option value="">all time</option>
<option value="1d">1 day</option><option value="7d" >7 days</option><option value="30d">30 days</option></select></label>
<button id="refresh">Refresh</button><button id="logout">Log out</button></header>
<main>
<section class="wide"><h2>Self-test and swap</h2><div id="job-status" class="muted">no change running</div>
<ul id="broken"></ul></section>

<section class="wide"><h2>Unanswered and low-confidence questions, by nearest FAQ question</h2>
<table id="unanswered"><tbody></tbody></table></section>

<section class="wide"><h2>Correction</h2>
<form id="editor">
<textarea id="ed-question" rows="2" placeholder="the question as people asked it" required></textarea>
<fieldset><label><input type="radio" name="ed-kind" value="paraphrase" checked> paraphrase of an FAQ question</label>
<label><input type="radio" name="ed-kind" value="out_of_scope"> out of scope (refuse)</label>
<label><input type="radio" name="ed-kind" value="curated"> curated answer</label></fieldset>
<div id="ed-topic-row">FAQ question: <select id="ed-topic"></select></div>
<div id="ed-curated" hidden><textarea id="ed-answer" rows="4" placeholder="the answer"></textarea>
author handle <input type="text" id="ed-author" placeholder="ops_team">
title <input type="text" id="ed-author-title" placeholder="平台组"></div>
<input type="hidden" id="ed-note">
<p><button type="submit" class="primary" id="ed-apply">Apply: build, self-test, swap</button>
<span class="muted">The change is written to the overlay file beside the corpus (reviewable in git) only if the
self-test passes; the served KB keeps answering meanwhile.</span></p>
</form></section>

<section class="wide"><h2>Thumbs-down answers</h2>
<table id="thumbs-down"><thead><tr><th>question</th><th>cited</th><th>when</th><th></th></tr></thead><tbody></tbody></table>
</section>

<section><h2>Per FAQ question: cited, thumbs up, thumbs down</h2><div id="chart-topics"></div>
<table id="stats-topics"><thead><tr><th>question</th><th>cited</th><th>up</th><th>down</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Per expert: cited, thumbs up, thumbs down</h2><div id="chart-experts"></div>
<table id="stats-experts"><thead><tr><th>expert</th><th>cited</th><th>up</th><th>down</th></tr></thead><tbody></tbody></table>
</section>

<section class="wide"><h2>Hit testing</h2>
<form id="hit-form"><input type="text" id="hit-q" size="60" placeholder="type a question" required>
<select id="hit-mode"><option>hybrid</option><option>lexical</option><option>dense</option></select>
<button type="submit" id="hit-go">Test</button></form><div id="hit-result"></div></section>

<section><h2>Corrections in the overlay</h2>
<table id="corrections"><thead><tr><th>kind</th><th>question</th><th>to</th><th>when</th><th></th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Recent changes (this server process)</h2>
<table id="jobs"><thead><tr><th>when</th><th>change</th><th>state</th><th>version</th><th>message</th></tr></thead>
<tbody></tbody></table></section>

<section class="wide"><h2>Import preview</h2>
<form id="import-form"><input type="file" id="import-file" accept=".csv,.tsv,.xlsx,.json,.md,.markdown,.txt">
<button type="submit" id="import-go">Check</button>
<span class="muted">CSV/XLSX columns 问题/question, 答案/answer, 作者/author, 作者头衔/author_title, 相似问题/similar
(one a line); JSON; Markdown (## question); the article form. Nothing is written.</span></form>
<div id="import-result"></div></section>
</main>
"""


def page_html(nonce: str, csrf: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>kbqa admin</title>'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<style nonce="{nonce}">{_STYLE}</style></head><body data-csrf="{html.escape(csrf)}">{_BODY}'
            f'<script nonce="{nonce}">{_SCRIPT}</script></body></html>')


def login_html(nonce: str, failed: bool = False) -> str:
    msg = '<p class="bad" id="login-error">Wrong token.</p>' if failed else ""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>kbqa admin: log in</title>'
            f'<style nonce="{nonce}">{_STYLE} form{{max-width:360px;margin:60px auto;background:#fff;padding:20px;'
            f'border:1px solid #d0d7de;border-radius:6px}}</style></head><body>'
            f'<form method="post" action="/admin/login"><h2>kbqa admin</h2>{msg}'
            f'<p><label>Admin token<br><input type="password" name="token" id="token" autocomplete="current-password" '
            f'required class="full"></label></p><p><button type="submit" class="primary" id="login">Log in'
            f'</button></p><p class="muted">The token is KBQA_ADMIN_TOKEN of this server.</p></form></body></html>')
