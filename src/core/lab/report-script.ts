/**
 * The browser side of report.html, as text: reads the embedded JSON and draws the uPlot charts (rps and
 * p99 per tier and config; memory over time per instance with its events). Runs offline.
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById("lab-data").textContent);
  var colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"];
  function width(el) { return Math.max(320, Math.min(900, el.clientWidth || 860)); }
  function tierChart(el, title, key, unit) {
    var tiers = data.tiers;
    var series = [{}];
    var columns = [tiers.map(function (_, i) { return i; })];
    data.tierSeries.forEach(function (s, i) {
      series.push({ label: s.label, stroke: colors[i % colors.length], width: 2, points: { size: 8 }, value: function (u, v) { return v == null ? "—" : v.toFixed(0) + " " + unit; } });
      columns.push(s[key]);
    });
    new uPlot({
      title: title, width: width(el), height: 260, series: series,
      scales: { x: { time: false } },
      axes: [{ values: function (u, vals) { return vals.map(function (v) { return Number.isInteger(v) && tiers[v] ? tiers[v] : ""; }); } }, { label: unit }]
    }, columns, el);
  }
  tierChart(document.getElementById("chart-rps"), "Requests/s under heavy load, per tier", "rps", "req/s");
  tierChart(document.getElementById("chart-p99"), "p99 latency under heavy load, per tier", "p99", "ms");
  data.traces.forEach(function (t, i) {
    var el = document.getElementById("mem-" + i);
    if (!el || t.memory.length === 0) return;
    var xs = t.memory.map(function (p) { return p[0]; });
    var mem = t.memory.map(function (p) { return p[1] / 1048576; });
    var limit = xs.map(function () { return t.tierBytes / 1048576; });
    var deaths = xs.map(function () { return null; });
    t.events.forEach(function (e) {
      if (e[1] !== "worker_signal" && e[1] !== "worker_timeout" && e[1] !== "worker_exit_code" && e[1] !== "boot_deadline_kill") return;
      var j = 0;
      while (j < xs.length - 1 && xs[j] < e[0]) j++;
      deaths[j] = mem[j];
    });
    new uPlot({
      title: t.title, width: width(el), height: 220,
      scales: { x: { time: false } },
      series: [{ label: "s" },
        { label: "memory (MiB)", stroke: "#1f77b4", width: 1.5 },
        { label: "limit (MiB)", stroke: "#999", dash: [6, 4] },
        { label: "worker death / timeout", stroke: "#d62728", paths: function () { return null; }, points: { show: true, size: 9, fill: "#d62728" } }],
      axes: [{ label: "seconds since start" }, { label: "MiB" }]
    }, [xs, mem, limit, deaths], el);
  });
})();
`;
