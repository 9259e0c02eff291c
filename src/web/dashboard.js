/* global document, window, fetch, URLSearchParams, setTimeout */
// The gwarden dashboard: polls /api/state, /api/events and /api/verdict of the `gwarden run` that
// served it, and draws them. Every string from the server is set with textContent (never innerHTML):
// log lines are attacker-controlled (a request path lands in them).
"use strict";
(function () {
  const INTERVAL_MS = 2000;
  const MAX_EVENTS = 2000;
  const MiB = 1048576;
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const events = [];
  const kinds = new Set();
  const sources = new Set();
  let since = 0;
  let lastPlan = null;
  let first = true;

  const $ = (id) => document.getElementById(id);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function bytes(v) {
    if (v === null || v === undefined) return "—";
    if (v >= 1024 * MiB) return `${(v / (1024 * MiB)).toFixed(2)} GiB`;
    if (v >= MiB) return `${(v / MiB).toFixed(1)} MiB`;
    return `${Math.round(v / 1024)} KiB`;
  }

  function age(iso, nowIso) {
    const s = Math.floor((Date.parse(nowIso) - Date.parse(iso)) / 1000);
    if (!Number.isFinite(s)) return "—";
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  }

  const num = (v, d) => (v === null || v === undefined ? "—" : Number(v).toFixed(d || 0));
  const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "");

  async function get(path) {
    const res = await fetch(path, { headers, cache: "no-store" });
    if (res.status === 401)
      throw new Error(
        token
          ? "HTTP 401: the token after #token= in this page's address is not the one `gwarden run --token` was given"
          : `HTTP 401: this gwarden run needs its token: open ${window.location.origin}${window.location.pathname}#token=<the --token value> (the part after # never leaves the browser)`,
      );
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }

  /** Which group the memory figures cover. */
  function cgroupText(c) {
    if (!c) return "no cgroup figures";
    if (c.path === undefined) return "";
    return c.path === null
      ? "memory figures are the host's (no cgroup memory controller found)"
      : `memory figures of cgroup ${c.path}`;
  }

  function card(label, value, id) {
    const c = el("div", null, "card");
    c.append(el("div", label, "label"));
    const v = el("div", value, "value");
    if (id) v.id = id;
    c.append(v);
    return c;
  }

  function renderBox(s) {
    const c = s.cgroup || {};
    const p = c.memoryPressure;
    const b = s.backlog;
    const m = s.master;
    const up = s.workers.filter((w) => w.state === "ready" || w.state === "busy").length;
    $("box").replaceChildren(
      card(
        "master",
        m.state === "running" ? `pid ${m.pid}` : m.state === "down" ? `down: ${m.reason}` : m.state,
        "master",
      ),
      card("workers up", `${up} / ${s.workers.length}`, "workers-up"),
      card(
        "memory limit",
        c.limitBytes === null || c.limitBytes === undefined ? "none" : bytes(c.limitBytes),
        "mem-limit",
      ),
      card("usage", bytes(c.usageBytes), "mem-usage"),
      card("working set", bytes(c.workingSetBytes), "mem-ws"),
      card(
        "PSI memory some / full",
        p ? `${p.some.avg10.toFixed(1)}% / ${(p.full ? p.full.avg10 : 0).toFixed(1)}%` : "—",
        "psi",
      ),
      card(
        "CPUs (plan)",
        s.plan && s.plan.inputs ? `${s.plan.inputs.cpus} (${s.plan.inputs.cpuSource})` : "—",
        "cpus",
      ),
      card(
        "backlog",
        b && b.queued !== null ? `${b.queued} / ${b.max === null ? "?" : b.max}` : "—",
        "backlog",
      ),
      card("OOM kills", c.oomKills === null || c.oomKills === undefined ? "—" : c.oomKills, "oom"),
      card(
        "gwarden's own",
        `${bytes(s.supervisor.memory.anon)} anon, ${num(s.supervisor.cpuPercent, 1)}% CPU`,
        "self",
      ),
    );
    const limit = c.limitBytes;
    const ws =
      c.workingSetBytes !== null && c.workingSetBytes !== undefined ? c.workingSetBytes : c.usageBytes;
    const bar = $("membar-ws").parentElement;
    if (limit && ws !== null && ws !== undefined) {
      const ratio = ws / limit;
      $("membar-ws").style.width = `${Math.min(100, ratio * 100)}%`;
      $("membar-cache").style.width =
        `${Math.max(0, Math.min(100, ((c.usageBytes || ws) / limit) * 100) - Math.min(100, ratio * 100))}%`;
      bar.classList.toggle("high", ratio >= 0.85 && ratio < 0.95);
      bar.classList.toggle("full", ratio >= 0.95);
      $("membar-text").textContent =
        `working set ${bytes(ws)} of ${bytes(limit)} (${Math.round(ratio * 100)}%), page cache beyond it ${bytes(Math.max(0, (c.usageBytes || ws) - ws))}`;
    } else {
      $("membar-ws").style.width = "0";
      $("membar-cache").style.width = "0";
      $("membar-text").textContent = `no cgroup memory limit; usage ${bytes(c.usageBytes)}`;
    }
    $("cgroup-path").textContent = cgroupText(s.cgroup);
  }

  function renderWorkers(s) {
    $("workers").tBodies[0].replaceChildren(
      ...s.workers.map((w) => {
        const tr = el("tr", null, w.state);
        tr.dataset.pid = String(w.pid);
        for (const v of [
          w.pid,
          w.state,
          age(w.bootedAt, s.time),
          num(w.requests),
          num(w.cpuPercent, 1),
          bytes(w.memory.rss),
          bytes(w.memory.pss),
          bytes(w.memory.uss),
        ])
          tr.append(el("td", v));
        return tr;
      }),
    );
  }

  function renderVerdict(v) {
    const badge = $("verdict-level");
    badge.textContent = v.level;
    badge.className = `badge ${v.level}`;
    $("reasons").replaceChildren(
      ...(v.reasons.length
        ? v.reasons.map((r) => el("li", r))
        : [el("li", "master running, workers up, memory within the limit")]),
    );
    $("recommendations").replaceChildren(...v.recommendations.map((r) => el("li", r)));
    $("findings").replaceChildren(
      ...(v.findings.length
        ? v.findings.map((f) => {
            const li = el("li", null, `finding ${f.severity}`);
            li.append(
              el("strong", `${f.severity}: `),
              el("span", f.message),
              el("div", `fix: ${f.fix}`, "muted"),
            );
            for (const line of f.evidence.lines) li.append(el("div", line, "line muted"));
            return li;
          })
        : [el("li", "none in the last minute", "muted")]),
    );
  }

  function renderPlan(plan) {
    if (!plan || plan === lastPlan) return;
    lastPlan = plan;
    $("plan-summary").textContent =
      `${plan.workers} × ${plan.workerClass}${plan.threads > 1 ? ` × ${plan.threads} threads` : ""}, timeout ${plan.timeout} s, planned memory ${bytes(plan.memory.plannedBytes)} of ${bytes(plan.memory.limitBytes)}${plan.inputs ? ` (${plan.inputs.memorySource})` : ""}`;
    $("plan").tBodies[0].replaceChildren(
      ...Object.entries(plan.reasons || {}).map(([key, r]) => {
        const tr = el("tr");
        const why = el("td", r.reason);
        if (r.arithmetic) why.append(el("div", r.arithmetic, "muted"));
        tr.append(el("td", key), el("td", r.value), why);
        return tr;
      }),
    );
  }

  function addOption(select, set, value) {
    if (value === undefined || set.has(value)) return;
    set.add(value);
    select.append(el("option", value));
  }

  function renderEvents() {
    const kind = $("filter-kind").value;
    const source = $("filter-source").value;
    const text = $("filter-text").value.toLowerCase();
    const shown = events.filter(
      (e) =>
        (!kind || e.kind === kind) &&
        (!source || e.source === source) &&
        (!text || `${e.text} ${e.line || ""} ${e.pid || ""}`.toLowerCase().includes(text)),
    );
    const bad = new Set([
      "worker_signal",
      "worker_timeout",
      "boot_deadline_kill",
      "halt",
      "master_crash",
      "app_load_error",
      "worker_boot_error",
    ]);
    $("events").tBodies[0].replaceChildren(
      ...shown
        .slice(-300)
        .reverse()
        .map((e) => {
          const tr = el("tr", null, bad.has(e.kind) ? "bad" : "");
          tr.dataset.kind = e.kind;
          tr.append(
            el("td", clock(e.time)),
            el("td", e.pid === undefined ? "" : e.pid),
            el("td", e.source),
            el("td", e.text || e.kind),
            el("td", e.line || "", "line"),
          );
          return tr;
        }),
    );
  }

  async function tick() {
    try {
      const [state, page, verdict] = await Promise.all([
        get("/api/state"),
        get(`/api/events?since=${since}&text=1`),
        get("/api/verdict"),
      ]);
      since = page.next;
      for (const e of page.events) {
        events.push(e);
        addOption($("filter-kind"), kinds, e.kind);
        addOption($("filter-source"), sources, e.source);
      }
      if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
      renderBox(state);
      renderWorkers(state);
      renderVerdict(verdict);
      renderPlan(state.plan);
      renderEvents();
      // the first page is the whole ring so far, not what happened in one interval
      if (window.gwardenCharts) window.gwardenCharts.push(state, first ? 0 : page.events.length);
      first = false;
      $("status").textContent = `updated ${clock(state.time)}`;
      $("status").className = "muted";
      // more events waiting (a long backlog after a restart of the page): fetch them right away
      if (page.events.length >= 1000) return tick();
    } catch (error) {
      $("status").textContent = `cannot reach gwarden: ${error.message}`;
      $("status").className = "bad";
    }
  }

  async function loop() {
    await tick();
    setTimeout(loop, INTERVAL_MS);
  }

  for (const id of ["filter-kind", "filter-source", "filter-text"])
    $(id).addEventListener("input", renderEvents);
  loop();
})();
