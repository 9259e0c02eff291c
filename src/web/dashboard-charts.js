/* global uPlot, document, window */
// The dashboard's charts (uPlot): a rolling history of the snapshots this page has seen, drawn as
// memory per worker and total against the limit, worker count and events, PSI, and the accept backlog.
"use strict";
(function () {
  const MAX_POINTS = 900; // 30 minutes at one point every 2 s
  const MiB = 1048576;
  const PALETTE = ["#58a6ff", "#d2a8ff", "#ffa657", "#7ee787", "#ff7b72", "#79c0ff", "#e3b341", "#56d4dd"];
  const AXIS = { stroke: "#9aa4ad", grid: { stroke: "#2b323b" }, ticks: { stroke: "#2b323b" } };
  const h = {
    t: [],
    limit: [],
    ws: [],
    usage: [],
    pids: new Map(),
    ready: [],
    booting: [],
    events: [],
    psiSome: [],
    psiFull: [],
    queued: [],
    max: [],
  };
  const plots = {};
  let memoryKey = "";

  const mib = (v) => (v === null || v === undefined ? null : v / MiB);
  const width = (el) => Math.max(280, el.clientWidth || 320);

  function trim() {
    if (h.t.length <= MAX_POINTS) return;
    for (const key of Object.keys(h)) if (Array.isArray(h[key])) h[key].shift();
    for (const [pid, values] of h.pids) {
      values.shift();
      if (values.every((v) => v === null)) h.pids.delete(pid);
    }
  }

  /** A tick label with as many decimals as the tick spacing needs (0.02 % apart must not all read "0%"). */
  function tick(value, incr, unit) {
    const decimals = incr > 0 ? Math.min(3, Math.max(0, Math.ceil(-Math.log10(incr) - 1e-9))) : 1;
    return `${+value.toFixed(decimals)}${unit}`;
  }

  function make(id, series, data, unit, yRange) {
    const el = document.getElementById(id);
    if (plots[id]) plots[id].destroy();
    el.textContent = "";
    const opts = {
      width: width(el),
      height: 200,
      scales: { x: { time: true }, ...(yRange ? { y: { range: yRange } } : {}) },
      axes: [
        AXIS,
        {
          ...AXIS,
          size: 72,
          values: (u, vals, axisIdx, space, incr) => vals.map((v) => (v === null ? "" : tick(v, incr, unit))),
        },
      ],
      series: [{}, ...series],
      legend: { live: false },
    };
    plots[id] = new uPlot(opts, data, el);
  }

  function line(label, stroke, extra) {
    return { label, stroke, width: 1.5, spanGaps: false, points: { show: false }, ...extra };
  }

  function drawMemory() {
    const pids = [...h.pids.keys()].sort((a, b) => a - b);
    // no limit anywhere in the history: no "limit" line, and none named in the legend
    const limited = h.limit.some((v) => v !== null);
    const key = `${limited}:${pids.join(",")}`;
    const data = [h.t, ...(limited ? [h.limit] : []), h.ws, ...pids.map((pid) => h.pids.get(pid))];
    if (key !== memoryKey || !plots["chart-memory"]) {
      memoryKey = key;
      const series = [
        ...(limited ? [line("limit", "#f85149", { dash: [6, 4] })] : []),
        line("working set", "#3fb950", { width: 2 }),
        ...pids.map((pid, i) => line(`RSS ${pid}`, PALETTE[i % PALETTE.length])),
      ];
      make("chart-memory", series, data, " MiB");
    } else plots["chart-memory"].setData(data);
  }

  function draw(id, series, data, unit, yRange) {
    if (!plots[id]) make(id, series, data, unit, yRange);
    else plots[id].setData(data);
  }

  /** Adds one snapshot (and how many events arrived with it) and redraws. */
  function push(snapshot, newEvents) {
    const c = snapshot.cgroup || {};
    const p = c.memoryPressure;
    const b = snapshot.backlog || {};
    const t = Date.parse(snapshot.time) / 1000;
    if (h.t.length > 0 && t <= h.t[h.t.length - 1]) return;
    h.t.push(t);
    h.limit.push(mib(c.limitBytes));
    h.ws.push(
      mib(c.workingSetBytes !== undefined && c.workingSetBytes !== null ? c.workingSetBytes : c.usageBytes),
    );
    h.usage.push(mib(c.usageBytes));
    const seen = new Set();
    for (const w of snapshot.workers) {
      seen.add(w.pid);
      if (!h.pids.has(w.pid)) h.pids.set(w.pid, new Array(h.t.length - 1).fill(null));
      h.pids.get(w.pid).push(mib(w.memory.rss));
    }
    for (const [pid, values] of h.pids) if (!seen.has(pid)) values.push(null);
    h.ready.push(snapshot.workers.filter((w) => w.state === "ready" || w.state === "busy").length);
    h.booting.push(snapshot.workers.filter((w) => w.state === "booting").length);
    h.events.push(newEvents);
    h.psiSome.push(p ? p.some.avg10 : null);
    h.psiFull.push(p && p.full ? p.full.avg10 : null);
    h.queued.push(b.queued === undefined ? null : b.queued);
    h.max.push(b.max === undefined ? null : b.max);
    trim();
    drawMemory();
    draw(
      "chart-workers",
      [
        line("workers up", "#3fb950", { width: 2 }),
        line("booting", "#d29922"),
        line("events", "#ff7b72", { points: { show: true, size: 5 } }),
      ],
      [h.t, h.ready, h.booting, h.events],
      "",
    );
    draw(
      "chart-psi",
      [line("some avg10", "#d29922"), line("full avg10", "#f85149")],
      [h.t, h.psiSome, h.psiFull],
      "%",
      // at least 0–1 %: an idle box's 0.0x % stalls are small, not the whole height of the chart
      (u, min, max) => [0, Math.max(1, max === null ? 0 : max)],
    );
    draw(
      "chart-backlog",
      [line("queued", "#58a6ff", { width: 2 }), line("limit", "#f85149", { dash: [6, 4] })],
      [h.t, h.queued, h.max],
      "",
    );
  }

  function resize() {
    for (const [id, plot] of Object.entries(plots))
      plot.setSize({ width: width(document.getElementById(id)), height: 200 });
  }

  window.addEventListener("resize", resize);
  /** The y-axis tick labels of a chart as drawn (for tests and people in the console). */
  function yLabels(id) {
    return plots[id] && plots[id].axes[1]._values ? [...plots[id].axes[1]._values] : [];
  }

  window.gwardenCharts = { push, points: () => h.t.length, yLabels };
})();
