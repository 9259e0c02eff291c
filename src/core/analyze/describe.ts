/** One-line human descriptions of events, shared by the text and markdown renderers. */
import type { GunicornEvent } from "../events/types.js";

/** What an event says, in a few words. */
export function describeEvent(e: GunicornEvent): string {
  switch (e.kind) {
    case "start":
      return `gunicorn ${e.version ?? "?"} starting`;
    case "listening":
      return `listening at ${e.address}`;
    case "worker_boot":
      return "worker booting";
    case "worker_ready":
      return "worker ready";
    case "worker_exit":
      return "worker exiting";
    case "worker_timeout":
      return "WORKER TIMEOUT (SIGABRT sent)";
    case "worker_exit_code":
      return `worker exited with code ${e.code}${e.signal ? ` (${e.signal}${e.coreDump ? ", core dumped" : ""})` : ""}`;
    case "worker_signal":
      return `worker killed by ${e.signal}: ${e.cause}${e.detail ? ` (${e.detail})` : ""}`;
    case "master_signal":
      return e.from === "service-manager"
        ? "the service manager stops the service"
        : `master got ${e.signal.toUpperCase()}`;
    case "max_requests_restart":
      return "max_requests reached: restarting after this request";
    case "app_load_error":
      return `app failed to load: ${e.message}`;
    case "worker_boot_error":
      return `worker boot error${e.message ? `: ${e.message}` : ""}`;
    case "request_error":
      return `error handling request ${e.path ?? `(${e.message ?? "?"})`}`;
    case "bind_error":
      return `bind error: ${e.message}`;
    case "halt":
      return `master halts: ${e.reason}${e.exitCode === undefined ? "" : ` (exit ${e.exitCode})`}`;
    case "master_crash":
      return `master crashed: ${e.message}`;
    case "logging_error":
      return `logging error${e.message ? `: ${e.message}` : ""}`;
    case "scale_up":
      return `scale up ${e.from} → ${e.to}: ${e.reason}`;
    case "scale_down":
      return `scale down ${e.from} → ${e.to}: ${e.reason}`;
    case "recycle":
      return `recycle: ${e.reason}`;
    case "boot_deadline_kill":
      return `boot deadline (${e.deadlineSeconds} s) passed: killed`;
    case "restart":
      return `restart #${e.attempt} in ${e.delayMs} ms: ${e.reason}`;
  }
}

/** The time column: `HH:MM:SS` of an ISO time, or blanks. */
export function clock(time: string | undefined): string {
  const m = time === undefined ? null : /T(\d\d:\d\d:\d\d)/.exec(time);
  return m ? m[1]! : "        ";
}

/** The indexes of the timeline to show: all, or the first and last `limit / 2`. */
export function timelineIndexes(total: number, limit: number): { shown: number[]; skipped: number } {
  if (total <= limit) return { shown: Array.from({ length: total }, (_, i) => i), skipped: 0 };
  const half = Math.floor(limit / 2);
  const first = Array.from({ length: half }, (_, i) => i);
  const last = Array.from({ length: half }, (_, i) => total - half + i);
  return { shown: [...first, ...last], skipped: total - 2 * half };
}
