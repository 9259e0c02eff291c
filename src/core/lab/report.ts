/**
 * report.html: one self-contained page (uPlot and its CSS inlined, every figure embedded as JSON) with
 * the rps and p99 per tier and config, memory over time per instance with its events, the failure
 * table, the root causes, and every cell. Everything from the run is escaped.
 */
import { mibText } from "../plan/mib.js";
import { BOX_HEADER, boxIntro, boxRows } from "./box.js";
import { compareThroughput, failureTotals } from "./compare.js";
import { escapeHtml, inlineScript, inlineStyle, jsonForScript } from "./html.js";
import { tierLabel } from "./matrix.js";
import { REPORT_SCRIPT } from "./report-script.js";
import { cellRequestsText, totalRequestsText } from "./requests-text.js";
import { rootCauseLines } from "./summary.js";
import { ratioText } from "./summary-comparison.js";
import type { CellResult, LabRunData } from "./types.js";

export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
}

const MAX_EVENTS_SHOWN = 200;
const MAX_POINTS = 600;

function thin<T>(points: readonly T[]): T[] {
  if (points.length <= MAX_POINTS) return [...points];
  const step = points.length / MAX_POINTS;
  return Array.from({ length: MAX_POINTS }, (_, i) => points[Math.floor(i * step)]!);
}

const num = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined ? "—" : v.toFixed(digits);

function htmlTable(header: string[], rows: string[][], rowClass: (i: number) => string = () => ""): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = rows
    .map((r, i) => `<tr class="${rowClass(i)}">${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>${head}\n${body}</table>`;
}

/** The chart data: per config (grid reduced to its best), rps and p99 of heavy load per tier. */
function tierSeries(
  data: LabRunData,
  tiers: number[],
): Array<{ label: string; rps: Array<number | null>; p99: Array<number | null> }> {
  const heavy = (tier: number, config: string): CellResult | undefined =>
    data.cells.find(
      (c) => c.tierBytes === tier && c.config === config && c.scenario === "heavy" && !c.skipped,
    );
  const names = [...new Set(data.instances.map((i) => i.config.name).filter((n) => !n.startsWith("grid-")))];
  const series = names.map((name) => ({
    label: name,
    rps: tiers.map((t) => heavy(t, name)?.rps ?? null),
    p99: tiers.map((t) => heavy(t, name)?.p99Ms ?? null),
  }));
  if (data.cells.some((c) => c.config.startsWith("grid-"))) {
    const best = compareThroughput(data.cells, tiers);
    series.push({
      label: "grid best (passing)",
      rps: best.map((b) => b.best?.rps ?? null),
      p99: best.map((b) => (b.best === null ? null : (heavy(b.tierBytes, b.best.config)?.p99Ms ?? null))),
    });
  }
  return series;
}

/** The whole report page. */
export function renderReport(data: LabRunData, assets: ReportAssets): string {
  const tiers = [...new Set(data.instances.map((i) => i.tierBytes))].sort((a, b) => a - b);
  const traces = data.traces.map((t) => ({
    title: `${tierLabel(t.tierBytes)} · ${t.config} (${t.configLabel})`,
    tierBytes: t.tierBytes,
    memory: thin(t.memory),
    events: t.events.slice(0, MAX_EVENTS_SHOWN),
  }));
  const payload = { tiers: tiers.map(tierLabel), tierSeries: tierSeries(data, tiers), traces };
  const failureRows = tiers.map((t) => {
    const cols = ["default", "planned", "custom"].map((c) => {
      const f = failureTotals(data.cells, t, c);
      return f === null
        ? "—"
        : `${f.workerTimeouts} / ${f.oomKills} / ${totalRequestsText(f)}; ${f.failedCells} of ${f.cells} scenarios fail`;
    });
    return [tierLabel(t), ...cols];
  });
  const ratioRows = compareThroughput(data.cells, tiers, data.runOffs)
    .filter((c) => c.best !== null || c.plannedRps !== null)
    .map((c) => [
      tierLabel(c.tierBytes),
      num(c.plannedRps),
      c.best === null ? "—" : `${c.best.label}: ${num(c.best.rps)}`,
      ratioText(
        c.ratio === null || c.ratioSpread === null ? null : { value: c.ratio, spread: c.ratioSpread },
      ),
      c.verdict ?? "—",
      c.versusDefault === null
        ? "—"
        : c.versusDefault.passed
          ? ratioText(c.versusDefault.ratio)
          : "default failed",
    ]);
  const causes = rootCauseLines(data).map(
    (l) => `<li>${escapeHtml(l.replace(/^- /, "").replace(/\*\*/g, ""))}</li>`,
  );
  const cellRows = data.cells.map((c) => [
    tierLabel(c.tierBytes),
    `${c.config} (${c.configLabel})`,
    c.scenario,
    c.skipped ? "skipped" : c.passed ? "pass" : "FAIL",
    c.skipped ? "—" : `${c.workerTimeouts} / ${c.oomKills} / ${cellRequestsText(c)}`,
    num(c.startupSeconds, 2),
    num(c.rps),
    `${num(c.p50Ms)} / ${num(c.p99Ms)}`,
    c.peakMemoryBytes === null ? "—" : mibText(c.peakMemoryBytes),
    c.note,
  ]);
  const memoryBlocks = traces.map((t, i) => {
    const events = data.traces[i]!.events.slice(0, MAX_EVENTS_SHOWN).map((e) => [
      e[0].toFixed(1),
      e[1],
      e[2] === null ? "" : String(e[2]),
    ]);
    const marks = data.traces[i]!.marks.map((m) => `${m[1]} at ${m[0].toFixed(1)} s`).join(", ");
    const chart = `<div class="chart" id="mem-${i}"></div><p class="marks">${escapeHtml(marks)}</p><details><summary>${escapeHtml(`${events.length} events`)}</summary>${htmlTable(["s", "event", "pid"], events)}</details>`;
    return data.traces[i]!.config.startsWith("grid-")
      ? `<details><summary>${escapeHtml(t.title)}</summary>${chart}</details>`
      : `<section>${chart}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gwarden lab report</title>
<style>${inlineStyle(assets.uplotCss)}</style>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:960px;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}tr.fail td{background:#fde8e8}.chart{margin:1em 0}.marks{color:#666;font-size:12px}code{background:#f4f4f4;padding:0 3px}</style>
</head><body>
<h1>gwarden lab report</h1>
<p>Command: <code>${escapeHtml(data.command)}</code></p>
<p>${escapeHtml(`Started ${data.startedAt}; ${data.cpus} CPU(s) per sandbox; gunicorn ${data.gunicornVersion ?? "unknown"}${data.quick ? "; quick matrix" : ""}${data.complete ? "" : "; PARTIAL RESULTS (interrupted or still running)"}.`)}</p>
${data.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join("\n")}
${data.box ? `<h2>The box</h2>\n<p>${escapeHtml(boxIntro(data.box))}</p>\n${htmlTable(BOX_HEADER, boxRows(data.box))}` : ""}
<h2>Throughput and latency per tier</h2>
<div class="chart" id="chart-rps"></div>
<div class="chart" id="chart-p99"></div>
<h2>Planned vs the best passing grid layout and the default</h2>
<p>${escapeHtml(`Heavy load, requests/s${(data.repeat ?? 1) > 1 ? `: medians of ${data.repeat} passes, ratio spreads from the lowest and highest passes` : ""}; every config of a tier got the same offered load.`)}</p>
${htmlTable(["Tier", "planned rps", "best passing grid layout", "planned ÷ best", "≥ 0.95", "planned ÷ default"], ratioRows)}
<h2>Failures per tier</h2>
<p>Worker timeouts / OOM kills / failed requests of all requests, summed over the scenarios (the OOM scenario's provoked kills left out).</p>
${htmlTable(["Tier", "default", "planned", "custom"], failureRows)}
<h2>Root causes of failing cells</h2>
<ul>${causes.length === 0 ? "<li>No cell failed.</li>" : causes.join("\n")}</ul>
<h2>Memory over time and events, per instance</h2>
${memoryBlocks.join("\n")}
<h2>All cells</h2>
${htmlTable(["Tier", "Config", "Scenario", "Result", "Timeouts / OOM / failed", "Startup (s)", "rps", "p50 / p99 (ms)", "Peak memory", "Note"], cellRows, (i) => (data.cells[i]!.passed || data.cells[i]!.skipped ? "" : "fail"))}
<script type="application/json" id="lab-data">${jsonForScript(payload)}</script>
<script>${inlineScript(assets.uplotJs)}</script>
<script>${inlineScript(REPORT_SCRIPT)}</script>
</body></html>
`;
}
