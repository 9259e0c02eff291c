/**
 * Requests that failed, as the verdict weighs them. Today's one honest and cheap source is gunicorn's
 * own `Error handling request` line (a `request_error` event): the app raised and gunicorn answered 500.
 * Counting every 5xx would need per-request work outside the worker (an access-log parse, a hook record
 * per request), which the run loop must not do. Per-worker shared-memory counters may later carry an
 * error count: such a count comes in as `serverErrors`, and the verdict needs no other change.
 */
import type { GunicornEvent } from "../events/types.js";

export interface RequestErrors {
  /** Requests the app raised on in the window (gunicorn's "Error handling request"). */
  appErrors: number;
  /** HTTP 5xx answers in the window from a counter; null while nothing counts them. */
  serverErrors: number | null;
}

/**
 * The app errors among the recent events. Left out: `no URI read` (an idle connection the worker's
 * timeout cut; the idle-connection finding covers it) and the `SystemExit` of a worker aborted after
 * `WORKER TIMEOUT` (the timeout rules cover it).
 */
export function requestErrorsOf(recent: readonly GunicornEvent[]): RequestErrors {
  const timedOut = new Set<number>();
  let appErrors = 0;
  for (const e of recent) {
    if (e.kind === "worker_timeout" && e.pid !== undefined) timedOut.add(e.pid);
    if (e.kind !== "request_error" || e.message === "no URI read") continue;
    if (e.pid !== undefined && timedOut.has(e.pid)) continue;
    appErrors++;
  }
  return { appErrors, serverErrors: null };
}

/** The failed requests to report: the 5xx count when one exists (it includes the app errors), else the app errors. */
export function failedRequests(errors: RequestErrors): { count: number; what: string } {
  if (errors.serverErrors !== null && errors.serverErrors >= errors.appErrors)
    return { count: errors.serverErrors, what: "answered 5xx" };
  return { count: errors.appErrors, what: "failed with an app error (HTTP 500)" };
}
