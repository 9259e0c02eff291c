/**
 * The health verdict of the live views: healthy, degraded or failing, with the reasons and what to
 * change. A pure function of the snapshot and the recent events: `/healthz`'s rule decides "failing",
 * the analyze findings (replayed over the recent events) and a few live thresholds decide "degraded".
 */
import type { Finding } from "../analyze/finding.js";
import { replay } from "../analyze/replay.js";
import type { GunicornEvent } from "../events/types.js";
import { health } from "../snapshot/health.js";
import { countWorkers, type SupervisorSnapshot } from "../snapshot/snapshot.js";
import { failedRequests, requestErrorsOf, type RequestErrors } from "./request-errors.js";

export type VerdictLevel = "healthy" | "degraded" | "failing";

export interface Verdict {
  level: VerdictLevel;
  /** Why, most important first (empty when healthy). */
  reasons: string[];
  /** What to change, deduplicated. */
  recommendations: string[];
  /** The analyze findings over the recent events. */
  findings: Finding[];
}

/** Share of the limit above which the working set degrades, and fails, the verdict. */
export const MEMORY_DEGRADED_RATIO = 0.85;
export const MEMORY_FAILING_RATIO = 0.95;
/** PSI memory `some` avg10 (percent) above which the box is short of memory. */
export const PRESSURE_DEGRADED_PERCENT = 10;
/** Share of the accept queue in use above which requests are waiting for workers. */
export const BACKLOG_DEGRADED_RATIO = 0.5;

const MiB = 1024 * 1024;

/**
 * Judges the box from a snapshot and the events of the last minute. `errors` defaults to the app
 * errors among those events; a source that counts 5xx answers passes its count here.
 */
export function judge(
  snapshot: SupervisorSnapshot,
  recent: readonly GunicornEvent[],
  errors: RequestErrors = requestErrorsOf(recent),
): Verdict {
  const failing: string[] = [];
  const degraded: string[] = [];
  const recs: string[] = [];
  const up = health(snapshot);
  if (!up.ok) {
    failing.push(up.reason);
    recs.push(
      snapshot.master.state === "down"
        ? "read the app's last error above the halt (gwarden analyze <log>)"
        : "wait for the boot, or raise the boot deadline if the import is slow (gwarden profile)",
    );
  }
  memoryRules(snapshot, failing, degraded, recs);
  // a death seen only as a pid gone from /proc says nothing the log rules could read (no signal, no line)
  const silent = recent.filter(
    (e) => e.source === "proc" && e.kind === "worker_signal" && e.cause === "unknown",
  );
  // without `start` the log rules do not infer unlogged deaths from replacement boots: live, the
  // supervisor sees deaths itself, and hook events interleaved with log lines would look like replacements
  const told = recent.filter((e) => !silent.includes(e) && e.kind !== "start");
  const findings = told.length === 0 ? [] : replay(told.map((event) => ({ event }))).findings;
  const explained = findings.some((f) => f.severity !== "info");
  workerRules(snapshot, explained ? silent : recent, degraded, recs);
  errorRules(errors, degraded, recs);
  for (const f of findings) {
    if (f.severity === "info") continue;
    (f.severity === "critical" && !up.ok ? failing : degraded).push(f.message);
    recs.push(f.fix);
  }
  const level: VerdictLevel = failing.length > 0 ? "failing" : degraded.length > 0 ? "degraded" : "healthy";
  return { level, reasons: unique([...failing, ...degraded]), recommendations: unique(recs), findings };
}

function memoryRules(s: SupervisorSnapshot, failing: string[], degraded: string[], recs: string[]): void {
  const c = s.cgroup;
  const used = c?.workingSetBytes ?? c?.usageBytes ?? null;
  if (c && c.limitBytes !== null && used !== null && c.limitBytes > 0) {
    const ratio = used / c.limitBytes;
    const text = `memory at ${Math.round(ratio * 100)}% of the ${Math.round(c.limitBytes / MiB)} MiB limit`;
    if (ratio >= MEMORY_FAILING_RATIO) failing.push(`${text}: the OOM killer is next`);
    else if (ratio >= MEMORY_DEGRADED_RATIO) degraded.push(text);
    if (ratio >= MEMORY_DEGRADED_RATIO)
      recs.push("run fewer workers or raise the memory limit (gwarden plan --memory <limit> shows the fit)");
  }
  const some = c?.memoryPressure?.some.avg10 ?? 0;
  if (some >= PRESSURE_DEGRADED_PERCENT) {
    degraded.push(`memory pressure: tasks stalled ${some.toFixed(1)}% of the last 10 s`);
    recs.push("the box is reclaiming memory: fewer workers, preload with gc.freeze, or more memory");
  }
  const b = s.backlog;
  if (b && b.queued !== null && b.max !== null && b.max > 0 && b.queued / b.max >= BACKLOG_DEGRADED_RATIO) {
    degraded.push(`${b.queued} of ${b.max} connections wait in the accept queue`);
    recs.push(
      "requests wait for a free worker: add threads or workers if memory allows (gwarden plan), or find the slow requests",
    );
  }
}

/** Worker counts against the plan, and (when no finding explains them) deaths and timeouts. */
function workerRules(
  s: SupervisorSnapshot,
  recent: readonly GunicornEvent[],
  degraded: string[],
  recs: string[],
): void {
  const counts = countWorkers(s.workers);
  const up = counts.ready + counts.busy;
  const planned = s.plan?.workers;
  if (s.master.state === "running" && planned !== undefined && up > 0 && up < planned)
    degraded.push(`${up} of ${planned} planned workers up`);
  if (up > 0 && counts.busy === up) {
    degraded.push(`all ${up} workers busy`);
    recs.push(
      "every worker is busy: add threads (gthread) or workers if memory allows, or find the slow requests",
    );
  }
  const deaths = recent.filter(
    (e) => e.kind === "worker_signal" || (e.kind === "worker_exit_code" && e.code !== 0),
  );
  const ooms = recent.filter(
    (e) => e.kind === "worker_signal" && (e.cause === "oom-confirmed" || e.cause === "oom-suspected"),
  );
  const timeouts = recent.filter((e) => e.kind === "worker_timeout");
  if (ooms.length > 0) {
    degraded.push(`${ooms.length} worker${ooms.length > 1 ? "s" : ""} OOM-killed in the last minute`);
    recs.push("set a lower recycle size or max_requests, or fewer workers (gwarden plan)");
  } else if (deaths.length > 0) {
    degraded.push(`${deaths.length} worker${deaths.length > 1 ? "s" : ""} died in the last minute`);
    recs.push(
      "if nobody killed it, look for the OOM killer (dmesg, the cgroup's memory.events) or a crash in the app's log (gwarden analyze <log>)",
    );
  }
  if (timeouts.length > 0) {
    degraded.push(`${timeouts.length} worker timeout${timeouts.length > 1 ? "s" : ""} in the last minute`);
    recs.push("a request ran past the timeout: find it, or raise the timeout (gwarden plan --explain)");
  }
}

function errorRules(errors: RequestErrors, degraded: string[], recs: string[]): void {
  const failed = failedRequests(errors);
  if (failed.count === 0) return;
  degraded.push(`${failed.count} request${failed.count > 1 ? "s" : ""} ${failed.what} in the last minute`);
  recs.push(
    'read the traceback after "Error handling request" in gunicorn\'s log (gwarden analyze <log> lists them)',
  );
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
