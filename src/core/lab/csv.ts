/**
 * matrix.csv: one row per (tier, config, scenario), the columns of DESIGN.md first and in that order,
 * then the lab's extra columns. RFC 4180 quoting; an unknown figure is an empty field.
 */
import type { CellResult } from "./types.js";

/** The contract columns (DESIGN.md), in order. */
export const CSV_COLUMNS = [
  "tier_bytes",
  "config",
  "scenario",
  "worker_timeouts",
  "oom_kills",
  "failed_requests",
  "requests",
  "startup_seconds",
  "rps",
  "p50_ms",
  "p99_ms",
  "peak_memory_bytes",
] as const;

/** Extra columns, after the contract's. */
export const CSV_EXTRA_COLUMNS = [
  "cpus",
  "config_label",
  "expected_workers",
  "concurrency",
  "worker_deaths",
  "passed",
  "skipped",
  "note",
  // `--repeat N`: rps is then the median of the passes; these are every pass's figure and their count.
  "rps_runs",
  "passes",
  // Loads: CPUs the sandbox used, and CPUs' worth of time its processes waited for one (a busy host).
  "cpu_used",
  "cpu_wait",
] as const;

/** One CSV field: quoted when it holds a comma, a quote or a line break; null/undefined are empty. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function row(c: CellResult): Array<string | number | boolean | null> {
  return [
    c.tierBytes,
    c.config,
    c.scenario,
    c.skipped ? null : c.workerTimeouts,
    c.skipped ? null : c.oomKills,
    c.skipped ? null : c.failedRequests,
    c.skipped ? null : c.requests,
    c.startupSeconds,
    c.rps,
    c.p50Ms,
    c.p99Ms,
    c.peakMemoryBytes,
    c.cpus,
    c.configLabel,
    c.expectedWorkers,
    c.concurrency,
    c.skipped ? null : c.workerDeaths,
    c.skipped ? null : c.passed,
    c.skipped,
    c.note,
    c.rpsRuns === undefined ? null : c.rpsRuns.join(";"),
    c.rpsRuns === undefined ? 1 : Math.max(1, c.rpsRuns.length),
    c.usedCpus ?? null,
    c.waitCpus ?? null,
  ];
}

/** The whole CSV text (header line + one line per cell, `\n` line ends). */
export function renderCsv(cells: readonly CellResult[]): string {
  const lines = [[...CSV_COLUMNS, ...CSV_EXTRA_COLUMNS].join(",")];
  for (const cell of cells) lines.push(row(cell).map(csvField).join(","));
  return `${lines.join("\n")}\n`;
}
