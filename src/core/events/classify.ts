/**
 * Cause classification for `worker_signal` events (gunicorn.md §4.3, §12), incremental so `analyze` and
 * `run` feed events one by one with bounded state:
 * - a SIGKILL (or SIGABRT) after `WORKER TIMEOUT` for the same pid is `timeout-escalation`;
 * - a SIGKILL the kernel log or a cgroup OOM counter (an event with `source: "cgroup"`) confirms is
 *   `oom-confirmed`; during a shutdown only when the evidence names that worker's pid;
 * - a death after TERM/INT/QUIT to the master (or while it halts on a load error), or a SIGTERM death
 *   soon after a service manager announced a stop, is `shutdown` (analyze's stop pass then looks at the
 *   timing and the other workers: src/core/analyze/shutdown-pass.ts);
 * - SIGTERM deaths within a TTOU or HUP window are `scale-down`;
 * - any other SIGKILL is `oom-suspected`.
 */
import type { GunicornEvent, WorkerSignalCause } from "./types.js";

/** How far back context reaches: by timestamp when both ends have one, else by event count. */
const ESCALATION_MS = 180_000;
const ESCALATION_EVENTS = 500;
const RETIRE_MS = 120_000;
const RETIRE_EVENTS = 200;
const OOM_MS = 30_000;
const OOM_EVENTS = 40;
/** How long a service manager's stop announcement covers deaths (systemd's default TimeoutStopSec). */
const STOP_REQUEST_MS = 90_000;
const STOP_REQUEST_EVENTS = 200;
const MAX_PIDS = 1024;
const COMPARABLE_MS = 180 * 86_400_000;

interface Mark {
  seq: number;
  key?: number;
}

export interface Classifier {
  /** Returns the event with its cause decided (a new object for `worker_signal`, else the same one). */
  classify(event: GunicornEvent, key?: number): GunicornEvent;
}

function within(mark: Mark | undefined, now: Mark, ms: number, events: number): boolean {
  if (!mark) return false;
  // Keys from different clocks (a year-less syslog stamp beside gunicorn's own) are not comparable.
  if (mark.key !== undefined && now.key !== undefined && Math.abs(now.key - mark.key) < COMPARABLE_MS)
    return Math.abs(now.key - mark.key) <= ms;
  return now.seq - mark.seq <= events;
}

function remember<V>(map: Map<number, V>, pid: number, value: V): void {
  map.delete(pid);
  if (map.size >= MAX_PIDS) map.delete(map.keys().next().value ?? -1);
  map.set(pid, value);
}

/** The pure decision, given what the classifier remembers about the context. */
export function decideCause(
  signal: string,
  ctx: {
    afterTimeout: boolean;
    stopping: boolean;
    halting: boolean;
    retiring: boolean;
    oomEvidence: boolean;
    /** The OOM evidence names this worker (a kernel line with its pid), not just the group. */
    oomNamed?: boolean;
    exitedCleanly: boolean;
  },
): WorkerSignalCause {
  const sig = signal.toUpperCase();
  if (ctx.afterTimeout && (sig === "SIGKILL" || sig === "SIGABRT")) return "timeout-escalation";
  if (sig === "SIGKILL") {
    // the kernel naming this worker beats the context: a worker can be OOM-killed while the master
    // stops; a group's counter that rose for some other worker does not
    if (ctx.oomNamed) return "oom-confirmed";
    if (ctx.stopping) return "shutdown";
    if (ctx.oomEvidence) return "oom-confirmed";
    if (ctx.halting) return "shutdown";
    // A worker that had already logged `Worker exiting` was being retired or stopped, not eating memory.
    if (ctx.exitedCleanly) return ctx.retiring ? "scale-down" : "unknown";
    return "oom-suspected";
  }
  if (sig === "SIGTERM" || sig === "SIGQUIT" || sig === "SIGINT") {
    if (ctx.stopping || ctx.halting) return "shutdown";
    if (ctx.retiring || ctx.exitedCleanly) return "scale-down";
  }
  return "unknown";
}

/** A fresh classifier; feed it every event in order (it learns from all kinds). */
export function createClassifier(): Classifier {
  let seq = 0;
  let stopping = false;
  let halting = false;
  let retire: Mark | undefined;
  let stopRequest: Mark | undefined;
  const timeouts = new Map<number, Mark>();
  const exited = new Map<number, Mark>();
  let oomAny: Mark | undefined;
  const oomByPid = new Map<number, Mark>();

  return {
    classify(event: GunicornEvent, key?: number): GunicornEvent {
      seq++;
      const now: Mark = key === undefined ? { seq } : { seq, key };
      switch (event.kind) {
        case "start":
          stopping = false;
          halting = false;
          retire = undefined;
          stopRequest = undefined;
          timeouts.clear();
          exited.clear();
          return event;
        case "master_signal":
          // another unit's stop in a whole journal must not stop this gunicorn for good: a window
          if (event.from === "service-manager") stopRequest = now;
          else if (event.signal === "term" || event.signal === "int" || event.signal === "quit")
            stopping = true;
          if (event.signal === "ttou" || event.signal === "hup") retire = now;
          return event;
        case "halt":
          halting = true;
          return event;
        case "app_load_error":
        case "worker_boot_error":
          halting = true;
          return event;
        case "worker_exit_code":
          if (event.code === 3 || event.code === 4) halting = true;
          return event;
        case "worker_timeout":
          if (event.pid !== undefined) remember(timeouts, event.pid, now);
          return event;
        case "worker_exit":
          if (event.pid !== undefined) remember(exited, event.pid, now);
          return event;
        case "worker_boot":
          if (event.pid !== undefined) {
            timeouts.delete(event.pid);
            exited.delete(event.pid);
          }
          return event;
        case "worker_signal": {
          if (event.cause === "oom-confirmed") {
            if (event.pid === undefined) oomAny = now;
            else remember(oomByPid, event.pid, now);
            return event;
          }
          const pid = event.pid;
          const cause = decideCause(event.signal, {
            afterTimeout:
              pid !== undefined && within(timeouts.get(pid), now, ESCALATION_MS, ESCALATION_EVENTS),
            stopping: stopping || within(stopRequest, now, STOP_REQUEST_MS, STOP_REQUEST_EVENTS),
            halting,
            retiring: within(retire, now, RETIRE_MS, RETIRE_EVENTS),
            oomEvidence:
              (pid !== undefined && within(oomByPid.get(pid), now, OOM_MS, OOM_EVENTS)) ||
              within(oomAny, now, OOM_MS, OOM_EVENTS),
            oomNamed: pid !== undefined && within(oomByPid.get(pid), now, OOM_MS, OOM_EVENTS),
            exitedCleanly: pid !== undefined && exited.has(pid),
          });
          if (pid !== undefined) timeouts.delete(pid);
          return { ...event, cause };
        }
        case "listening":
        case "worker_ready":
        case "max_requests_restart":
        case "request_error":
        case "bind_error":
        case "master_crash":
        case "logging_error":
        case "scale_up":
        case "scale_down":
        case "recycle":
        case "boot_deadline_kill":
        case "restart":
          return event;
      }
    },
  };
}
