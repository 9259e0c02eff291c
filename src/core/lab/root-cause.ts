/**
 * The root cause of a failing cell, from what it measured and the events of its log: the arithmetic of
 * the layout against the limit (from the profile), what the cgroup and gunicorn said, and the most
 * severe finding `analyze` draws from the same log.
 */
import { analyzeText } from "../analyze/analysis.js";
import type { Finding } from "../analyze/finding.js";
import { mibText } from "../plan/mib.js";
import { estimateBytes, tierLabel } from "./matrix.js";
import type { AppSizes, CellResult, LabConfig } from "./types.js";

/** `3 workers × 110 MiB private + master 29 MiB = 359 MiB`, or null without sizes. */
export function layoutArithmetic(
  sizes: AppSizes | null,
  config: Pick<LabConfig, "workers" | "preload">,
): { text: string; bytes: number } | null {
  const bytes = estimateBytes(sizes, config.workers, config.preload);
  if (sizes === null || bytes === null) return null;
  const worker = config.preload
    ? (sizes.preloadWorkerPrivateBytes ?? sizes.workerPrivateBytes)
    : sizes.workerPrivateBytes;
  const master = config.preload ? (sizes.preloadMasterBytes ?? sizes.masterBytes) : sizes.masterBytes;
  const noun = config.workers === 1 ? "worker" : "workers";
  return {
    text: `${config.workers} ${noun} × ${mibText(worker)} private + ${config.preload ? "preloaded " : ""}master ${mibText(master)} = ${mibText(bytes)}`,
    bytes,
  };
}

/** The findings `analyze` draws from the cell's log, most severe first (info left out). */
export function cellFindings(cell: Pick<CellResult, "log">): Finding[] {
  if (cell.log.length === 0) return [];
  return analyzeText(cell.log.join("\n")).findings.filter((f) => f.severity !== "info");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What went wrong, by the measured counters. */
function symptom(
  cell: CellResult,
  arithmetic: { text: string; bytes: number } | null,
  config?: { threads?: number },
): string {
  const limit = tierLabel(cell.tierBytes);
  const over = arithmetic !== null && arithmetic.bytes > cell.tierBytes;
  const fits = arithmetic === null ? "" : `${arithmetic.text} ${over ? ">" : "≤"} ${limit}`;
  if (cell.oomKills > 0 && (cell.scenario === "startup" || cell.startupSeconds === null)) {
    return `${fits || `the layout does not fit ${limit}`}: OOM-kill loop during boot (${plural(cell.oomKills, "OOM kill")}${cell.startupSeconds === null ? ", the workers never all came up" : ""})`;
  }
  if (cell.scenario === "oom" && cell.failedRequests > 0) {
    const shared =
      (config?.threads ?? 1) > 1
        ? "they ran as threads in the worker the kernel killed"
        : "they were queued on or served by the killed worker";
    return `the hog's OOM kill took ${plural(cell.failedRequests, "other request")} with it: ${shared}${cell.note ? ` (${cell.note})` : ""}`;
  }
  if (cell.oomKills > 0 && cell.scenario !== "oom") {
    const why: Record<string, string> = {
      lifecycle:
        "a HUP reload boots a new set of workers before the old ones exit, briefly needing twice the workers' memory",
      sustained: "the leak grew the workers until the group hit its limit before they were recycled",
      heavy: "memory grew under load",
    };
    const cause = why[cell.scenario] ?? "memory grew";
    return `${plural(cell.oomKills, "OOM kill")} during ${cell.scenario}: ${cause}${fits ? ` (${fits} at rest${cell.peakMemoryBytes === null ? "" : `, peak ${mibText(cell.peakMemoryBytes)}`})` : ""}`;
  }
  if (cell.workerTimeouts > 0)
    return `${plural(cell.workerTimeouts, "WORKER TIMEOUT")} during ${cell.scenario}${fits ? ` (${fits})` : ""}`;
  if (cell.failedRequests > 0)
    return `${cell.failedRequests} of ${cell.requests} requests failed during ${cell.scenario}${cell.note ? ` (${cell.note})` : ""}`;
  if (cell.workerDeaths > 0) return `${plural(cell.workerDeaths, "worker death")} during ${cell.scenario}`;
  return cell.note || `${cell.scenario} did not pass`;
}

/** What `gwarden run` itself diagnosed in the cell (the planned config runs under it), e.g. a confirmed OOM kill. */
export function supervisorDiagnosis(cell: Pick<CellResult, "log">): { code: string; text: string } | null {
  for (const line of cell.log) {
    const m = /^gwarden: (oom-confirmed|boot_deadline_kill|error): (.+)$/.exec(line.trim());
    if (m) return { code: m[1]!, text: m[2]!.split("; ")[0]! };
  }
  return null;
}

/** One sentence naming why a cell failed (null for a passing or skipped cell). */
export function rootCause(
  cell: CellResult,
  config: Pick<LabConfig, "workers" | "preload"> & { threads?: number },
  sizes: AppSizes | null,
): string | null {
  if (cell.passed || cell.skipped) return null;
  const main = symptom(cell, layoutArithmetic(sizes, config), config);
  const own = supervisorDiagnosis(cell);
  if (own !== null) return `${main}. gwarden run: \`${own.code}\` — ${own.text}`;
  const finding = cellFindings(cell)[0];
  return finding === undefined ? `${main}.` : `${main}. analyze: \`${finding.code}\` — ${finding.message}`;
}
