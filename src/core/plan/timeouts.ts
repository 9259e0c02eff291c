/** timeout, graceful_timeout and gwarden's boot deadline (gunicorn.md §2, §2.5, §2.7). */
import type { PlanReason, WorkerClass } from "./types.js";
import {
  BOOT_DEADLINE_FACTOR,
  BOOT_DEADLINE_MIN_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  GRACEFUL_TIMEOUT_SECONDS,
} from "./defaults.js";

/**
 * True when the worker's import counts inside `timeout`: gunicorn ≤ 21.x (§2.5). An unknown version
 * is treated as ≤ 21 (the safe side: Debian ships 20.1.0).
 */
export function bootCountsInTimeout(version: string | null): boolean {
  if (version === null) return true;
  const major = Number(/^\s*(\d+)/.exec(version)?.[1]);
  return !Number.isFinite(major) || major <= 21;
}

export interface TimeoutPlan {
  timeout: number;
  gracefulTimeout: number;
  bootDeadline: number;
  /** Worst expected boot: import × CPU starvation. */
  bootSeconds: number;
  reasons: Record<"timeout" | "gracefulTimeout" | "bootDeadline", PlanReason>;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The three time budgets, from the import time, the CPUs and the workers booting together. */
export function planTimeouts(args: {
  importSeconds: number;
  cpus: number;
  workers: number;
  workerClass: WorkerClass;
  preload: boolean;
  gunicornVersion: string | null;
}): TimeoutPlan {
  const { importSeconds, cpus, workers, workerClass, preload, gunicornVersion } = args;
  // All workers import at once at start (and after a crash loop); on fewer CPUs they share them.
  const starvation = Math.max(1, workers / Math.max(cpus, 0.01));
  const bootSeconds = importSeconds * starvation;
  const bootDeadline = Math.max(BOOT_DEADLINE_MIN_SECONDS, Math.ceil(BOOT_DEADLINE_FACTOR * bootSeconds));
  const deadlineReason: PlanReason = {
    value: `${bootDeadline} s`,
    reason: preload
      ? "with preload a worker's boot is only a fork; the deadline still catches a worker hung in post_fork, enforced by gwarden run"
      : "a worker that has not reached post_worker_init by then is hung (DB connect at import, swap thrash); gwarden run kills it",
    arithmetic: `max(${BOOT_DEADLINE_MIN_SECONDS}, ⌈${BOOT_DEADLINE_FACTOR} × ${round1(importSeconds)} s import × ${round1(starvation)} CPU starvation (${workers} workers booting on ${round1(cpus)} CPUs)⌉) = ${bootDeadline} s`,
  };

  const inTimeout = bootCountsInTimeout(gunicornVersion);
  const versionText =
    gunicornVersion === null ? "unknown gunicorn version (treated as ≤ 21)" : `gunicorn ${gunicornVersion}`;
  let timeout = DEFAULT_TIMEOUT_SECONDS;
  let timeoutReason: string;
  let timeoutArithmetic: string | undefined;
  if (inTimeout) {
    timeout = Math.max(DEFAULT_TIMEOUT_SECONDS, bootDeadline);
    timeoutReason = `${versionText} counts the worker's import inside timeout (no heartbeat before the first request loop), so timeout must exceed the slowest boot or workers loop on WORKER TIMEOUT`;
    timeoutArithmetic = `max(${DEFAULT_TIMEOUT_SECONDS} s default, ${bootDeadline} s boot deadline) = ${timeout} s`;
  } else {
    timeoutReason = `${versionText} never times out a booting worker (gwarden run enforces the ${bootDeadline} s boot deadline instead); ${DEFAULT_TIMEOUT_SECONDS} s is gunicorn's default request budget`;
  }
  timeoutReason +=
    workerClass === "sync"
      ? "; with sync workers it is a hard per-request limit"
      : "; with gthread it only catches a frozen main loop (long requests are not killed)";

  const gracefulTimeout = Math.min(GRACEFUL_TIMEOUT_SECONDS, timeout);
  return {
    timeout,
    gracefulTimeout,
    bootDeadline,
    bootSeconds,
    reasons: {
      timeout: {
        value: `${timeout} s`,
        reason: timeoutReason,
        ...(timeoutArithmetic ? { arithmetic: timeoutArithmetic } : {}),
      },
      gracefulTimeout: {
        value: `${gracefulTimeout} s`,
        reason:
          "a few seconds below Kubernetes' 30 s termination grace period so in-flight requests finish before the platform's SIGKILL; with Docker raise `stop_grace_period`/`docker stop -t` to 30 s (its default is 10 s)",
        arithmetic: `min(${GRACEFUL_TIMEOUT_SECONDS} s, timeout ${timeout} s) = ${gracefulTimeout} s`,
      },
      bootDeadline: deadlineReason,
    },
  };
}
