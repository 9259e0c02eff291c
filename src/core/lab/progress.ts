/** The lab's progress lines (one plain line per instance and per cell, for stderr). */
import { mibText } from "../plan/mib.js";
import { tierLabel } from "./matrix.js";
import type { CellResult, LabInstanceSpec, RunOff } from "./types.js";
import { compareThroughput } from "./compare.js";
import { mergeRepeats } from "./repeats.js";
import { ratioText } from "./summary-comparison.js";

/** `[3/12] 256M planned (2×1 sync): startup, health, light, heavy` (`, pass 2` for a repeat). */
export function instanceLine(spec: LabInstanceSpec, index: number, total: number): string {
  const pass = spec.round > 1 ? `, pass ${spec.round}` : "";
  return `[${index}/${total}] ${tierLabel(spec.tierBytes)} ${spec.config.name} (${spec.config.label}${pass}): ${spec.scenarios.join(", ")}`;
}

/**
 * After a tier's last instance: `256M: planned ÷ best passing grid layout (3×1 sync preload) 0.97
 * (0.90–1.05) yes · planned ÷ default 1.10 (1.02–1.19)`; null when the tier has neither comparison.
 */
export function tierLine(
  cells: readonly CellResult[],
  tierBytes: number,
  runOffs: readonly RunOff[] = [],
): string | null {
  const c = compareThroughput(mergeRepeats(cells), [tierBytes], runOffs)[0]!;
  const parts: string[] = [];
  if (c.best !== null && c.ratio !== null && c.ratioSpread !== null)
    parts.push(
      `planned ÷ best passing grid layout (${c.best.label}) ${ratioText({ value: c.ratio, spread: c.ratioSpread })} ${c.verdict}${c.runOff === null ? "" : ` (run-off; the matrix's passes: ${ratioText(c.runOff.matrixRatio)})`}`,
    );
  const d = c.versusDefault;
  if (d !== null)
    parts.push(
      d.passed
        ? `planned ÷ default ${ratioText(d.ratio)}${d.fromRunOff ? " (run-off)" : ""}`
        : "the default failed",
    );
  return parts.length === 0 ? null : `${tierLabel(tierBytes)}: ${parts.join(" · ")}`;
}

/** `  heavy: pass · 812 rps · p99 40 ms · 0 timeouts · 0 OOM · 0 failed of 8120 · peak 236 MiB` */
export function cellLine(cell: CellResult): string {
  if (cell.skipped) return `  ${cell.scenario}: ${cell.note}`;
  const parts = [`${cell.scenario}: ${cell.passed ? "pass" : "FAIL"}`];
  if (cell.scenario === "startup")
    parts.push(
      cell.startupSeconds === null ? "not all ready" : `ready in ${cell.startupSeconds.toFixed(2)} s`,
    );
  if (cell.rps !== null) parts.push(`${Math.round(cell.rps)} rps`, `p99 ${cell.p99Ms ?? "—"} ms`);
  parts.push(
    `${cell.workerTimeouts} timeouts`,
    `${cell.oomKills} OOM`,
    `${cell.failedRequests} failed of ${cell.requests}`,
  );
  if (cell.peakMemoryBytes !== null) parts.push(`peak ${mibText(cell.peakMemoryBytes)}`);
  if (cell.note !== "" && !cell.passed) parts.push(cell.note);
  return `  ${parts.join(" · ")}`;
}
