/** The lab's progress lines (one plain line per instance and per cell, for stderr). */
import { mibText } from "../plan/mib.js";
import { tierLabel } from "./matrix.js";
import type { CellResult, LabInstanceSpec } from "./types.js";

/** `[3/12] 256M planned (2×1 sync): startup, health, light, heavy` */
export function instanceLine(spec: LabInstanceSpec, index: number, total: number): string {
  return `[${index}/${total}] ${tierLabel(spec.tierBytes)} ${spec.config.name} (${spec.config.label}): ${spec.scenarios.join(", ")}`;
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
