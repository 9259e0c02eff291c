/**
 * How the lab's tables say what happened to requests. A cell or config without a single request is
 * not "0 failed of 0": either its scenarios send no load (startup, a lifecycle that did not run), or it
 * never served — the load it was given found nothing to answer.
 */
import type { FailureTotals } from "./compare.js";
import type { CellResult } from "./types.js";

/** `3 of 2808`, `no load` (the scenario sends none), `—` when skipped. */
export function cellRequestsText(c: CellResult): string {
  if (c.skipped) return "—";
  if (c.requests === 0) return c.concurrency > 0 ? "never served" : "no load";
  return `${c.failedRequests} of ${c.requests}`;
}

/** `28 of 3898 (0.7 %)`; `never served` for a config that failed with no request answered or made. */
export function totalRequestsText(t: FailureTotals): string {
  if (t.requests === 0) return t.failedCells > 0 ? "never served" : "no load";
  const rate = ((100 * t.failedRequests) / t.requests).toFixed(t.failedRequests === 0 ? 0 : 1);
  return `${t.failedRequests} of ${t.requests} (${rate} %)`;
}
