/**
 * summary.md: the seed-style tables (failures of the default vs the planned config per tier; startup,
 * response time and concurrent users per tier), the planned-vs-grid throughput comparison, and the
 * root cause of every failing cell. Markdown table cells are escaped.
 */
import { mibText } from "../plan/mib.js";
import { BOX_HEADER, boxIntro, boxRows } from "./box.js";
import { cellOf, failureTotals, type FailureTotals } from "./compare.js";
import { comparisonSection } from "./summary-comparison.js";
import { tierLabel } from "./matrix.js";
import { cellRequestsText, totalRequestsText } from "./requests-text.js";
import { rootCause } from "./root-cause.js";
import type { CellResult, LabConfig, LabRunData } from "./types.js";

/** Escapes text for one markdown table cell (pipes, line breaks, and `<` so no HTML gets through). */
export function mdCell(text: string): string {
  return mdText(text).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Escapes `<` in markdown prose (as `&lt;`), so text from the run cannot open an HTML tag. */
export function mdText(text: string): string {
  return text.replace(/</g, "&lt;");
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`),
  ];
}

const num = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined ? "—" : v.toFixed(digits);

function totalsText(t: FailureTotals | null): string {
  if (t === null) return "—";
  return `${t.workerTimeouts} / ${t.oomKills} / ${totalRequestsText(t)}`;
}

/** The config of a cell, as it was at that tier. */
export function configAt(data: LabRunData, tierBytes: number, name: string): LabConfig | undefined {
  return data.instances.find((i) => i.tierBytes === tierBytes && i.config.name === name)?.config;
}

function tiersOf(data: LabRunData): number[] {
  return [...new Set(data.instances.map((i) => i.tierBytes))].sort((a, b) => a - b);
}

function statusOf(cells: CellResult[], tier: number, config: string): string {
  const t = failureTotals(cells, tier, config);
  if (t === null) return "not run";
  return t.failedCells === 0 ? "✅ all scenarios pass" : `❌ ${t.failedCells} of ${t.cells} scenarios fail`;
}

/** Every failing cell with its root cause, as markdown list lines. */
export function rootCauseLines(data: LabRunData): string[] {
  return data.cells
    .filter((c) => !c.passed && !c.skipped)
    .map((c) => {
      const config = configAt(data, c.tierBytes, c.config) ?? { workers: c.expectedWorkers, preload: false };
      return `- **${tierLabel(c.tierBytes)} ${c.config} (${c.configLabel}), ${c.scenario}**: ${mdText(rootCause(c, config, data.sizes) ?? "")}`;
    });
}

/** The summary as markdown. */
export function renderSummary(data: LabRunData): string {
  const tiers = tiersOf(data);
  const out: string[] = ["# gwarden lab — summary", ""];
  out.push(
    "Command:",
    "",
    "```sh",
    data.command.replace(/```/g, "` ` `"),
    "```",
    "",
    `Started ${data.startedAt}; ${data.cpus} CPU(s) per sandbox; gunicorn ${data.gunicornVersion ?? "unknown"}${data.quick ? "; quick matrix" : ""}.`,
  );
  if (data.sizes) {
    const s = data.sizes;
    out.push(
      `App (measured by \`gwarden profile\`): import ${s.importSeconds.toFixed(2)} s, ${mibText(s.workerPrivateBytes)} private per worker, master ${mibText(s.masterBytes)}${s.preloadMasterBytes === null ? "" : `; with preload: master ${mibText(s.preloadMasterBytes)}, ${s.preloadWorkerPrivateBytes === null ? "?" : mibText(s.preloadWorkerPrivateBytes)} private per worker`}.`,
    );
  }
  if (data.box)
    out.push("", "## The box", "", boxIntro(data.box), "", ...table(BOX_HEADER, boxRows(data.box)));
  if (!data.complete)
    out.push(
      "",
      "**Partial results**: the run was interrupted or is still running; cells not listed did not run.",
    );
  for (const note of data.notes) out.push("", `Note: ${mdText(note)}`);

  out.push(
    "",
    "## Failures per tier: default vs planned",
    "",
    "Worker timeouts / OOM kills / failed requests of all requests, summed over the scenarios (the OOM scenario's provoked kills left out).",
    "",
  );
  out.push(
    ...table(
      ["Tier", "default", "default status", "planned", "planned status"],
      tiers.map((t) => [
        tierLabel(t),
        totalsText(failureTotals(data.cells, t, "default")),
        statusOf(data.cells, t, "default"),
        totalsText(failureTotals(data.cells, t, "planned")),
        statusOf(data.cells, t, "planned"),
      ]),
    ),
  );

  out.push("", "## Startup, response time and concurrent users (planned config)", "");
  out.push(
    ...table(
      [
        "Tier",
        "planned",
        "startup (s)",
        "light p50 / p99 (ms)",
        "heavy rps",
        "heavy p99 (ms)",
        "concurrent users served",
        "default startup (s)",
      ],
      tiers.map((t) => {
        const startup = cellOf(data.cells, t, "planned", "startup");
        const light = cellOf(data.cells, t, "planned", "light");
        const heavy = cellOf(data.cells, t, "planned", "heavy");
        const defaultStartup = cellOf(data.cells, t, "default", "startup");
        return [
          tierLabel(t),
          configAt(data, t, "planned")?.label ?? "—",
          num(startup?.startupSeconds, 2),
          light ? `${num(light.p50Ms)} / ${num(light.p99Ms)}` : "—",
          num(heavy?.rps),
          num(heavy?.p99Ms),
          heavy
            ? heavy.passed
              ? `${heavy.concurrency} (no failures)`
              : `fails at ${heavy.concurrency}`
            : "—",
          defaultStartup
            ? defaultStartup.startupSeconds === null
              ? "never ready"
              : num(defaultStartup.startupSeconds, 2)
            : "—",
        ];
      }),
    ),
  );

  if (data.cells.some((c) => c.config.startsWith("grid-")) || data.cells.some((c) => c.config === "default"))
    out.push(...comparisonSection(data, tiers));

  const causes = rootCauseLines(data);
  out.push(
    "",
    "## Root causes of failing cells",
    "",
    ...(causes.length === 0 ? ["No cell failed."] : causes),
  );

  out.push("", "## All cells", "");
  out.push(
    ...table(
      [
        "Tier",
        "Config",
        "Scenario",
        "Result",
        "Timeouts",
        "OOM kills",
        "Failed of requests",
        "Startup (s)",
        "rps",
        "p50 (ms)",
        "p99 (ms)",
        "Peak memory",
        "Note",
      ],
      data.cells.map((c) => [
        tierLabel(c.tierBytes),
        `${c.config} (${c.configLabel})`,
        c.scenario,
        c.skipped ? "skipped" : c.passed ? "pass" : "FAIL",
        c.skipped ? "—" : String(c.workerTimeouts),
        c.skipped ? "—" : String(c.oomKills),
        cellRequestsText(c),
        num(c.startupSeconds, 2),
        num(c.rps),
        num(c.p50Ms),
        num(c.p99Ms),
        c.peakMemoryBytes === null ? "—" : mibText(c.peakMemoryBytes),
        c.note,
      ]),
    ),
  );
  return `${out.join("\n")}\n`;
}
