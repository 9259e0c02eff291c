/**
 * The gunicorn settings of a plan, as the config renderer takes them.
 */
import type { Plan } from "../plan/types.js";
import type { ConfSettings } from "./types.js";

/** Maps a Plan to gunicorn settings (workers, threads, timeouts, recycling, preload, ...); bind and loglevel are the caller's. */
export function settingsFromPlan(plan: Plan): ConfSettings {
  return {
    workers: plan.workers,
    threads: plan.threads,
    worker_class: plan.workerClass,
    timeout: plan.timeout,
    graceful_timeout: plan.gracefulTimeout,
    max_requests: plan.maxRequests,
    max_requests_jitter: plan.maxRequestsJitter,
    preload_app: plan.preload,
    ...(plan.workerTmpDir === null ? {} : { worker_tmp_dir: plan.workerTmpDir }),
    backlog: plan.backlog,
    keepalive: plan.keepalive,
  };
}
