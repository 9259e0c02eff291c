/**
 * The wire format of the instrumentation channel. The generated gunicorn config writes one JSON object
 * per line to the file descriptor named by `GWARDEN_EVENT_FD` (a pipe the supervisor or profiler holds;
 * nothing is written when the variable is unset). Each line is a single `os.write` below PIPE_BUF, so
 * lines from the master and from workers never interleave.
 *
 *   {"hook":"post_worker_init","pid":4242,"ppid":4200,"time":1764214000.123}
 *
 * The fd must be a pipe or a connected unix socket (Node's stdio 'pipe'); anything else disables the
 * channel. It is made non-blocking (a reader that stalls loses records, gunicorn never blocks) and
 * non-inheritable across exec. Order on a start: `nworkers_changed` (new, old null) comes first because
 * gunicorn sets the count before `on_starting`; then `on_starting`, `when_ready`, and per worker
 * `post_fork` then `post_worker_init` (the only "worker ready"). Hooks that announce a state reached are
 * recorded after the user's own hook (with `userHookError` if it raised); hooks that announce an end or
 * an interruption (worker_int, worker_abort, child_exit, worker_exit, on_exit) are recorded before it.
 *
 * Two records are gwarden's own, not gunicorn hooks:
 *   memory_guard  a worker's in-worker memory guard found its private memory at or past its budget, after
 *                 a request; the worker exits after that request (as max_requests does). Once per worker.
 *   memory_event  the master's watcher of kernel memory events (cgroup v1 thresholds and OOM notices,
 *                 v2 PSI triggers and memory.events changes), written as the kernel wakes it; `kind` says
 *                 which (MemoryEventKind), "unavailable" when a part could not be set up (once, with why).
 * Per-request records are gone: busy slots and request counts are in the workers' shared-memory
 * counters (src/core/sample/worker-stats.ts).
 */
export type HookName =
  | "on_starting"
  | "when_ready"
  | "post_fork"
  | "post_worker_init"
  | "worker_int"
  | "worker_abort"
  | "child_exit"
  | "worker_exit"
  | "nworkers_changed"
  | "on_reload"
  | "on_exit"
  | "memory_guard"
  | "memory_event";

/** What woke the master's kernel-event watcher. */
export type MemoryEventKind =
  /** cgroup v1: usage crossed a registered threshold (`direction` up or down). */
  | "threshold"
  /** cgroup v1: the group hit its limit and the OOM killer ran (memory.oom_control). */
  | "oom"
  /** cgroup v2: the PSI trigger fired (tasks stalled on memory for `trigger`'s stall within its window). */
  | "psi"
  /** cgroup v2: memory.events counters grew (`changed`: high, max, oom, oom_kill, ...). */
  | "events"
  /** cgroup v2: memory.high was set (gwarden owns the group). */
  | "high"
  /** A part could not be set up (`what`: config, cgroup, watcher, threshold, psi, events, high; `reason`). */
  | "unavailable";

export const MEMORY_EVENT_KINDS: readonly MemoryEventKind[] = [
  "threshold",
  "oom",
  "psi",
  "events",
  "high",
  "unavailable",
];

export interface HookRecord {
  hook: HookName;
  /** The process that ran the hook (a worker for worker hooks, the master otherwise). */
  pid: number;
  ppid: number;
  /** Unix time, seconds (float). */
  time: number;
  /** `child_exit`, `worker_exit`: the worker concerned. */
  worker?: number;
  /**
   * `child_exit`: the raw wait status. No release passes it to the hook; the generated config reads it
   * from gunicorn's `reap_workers` frame (a local named `status` in 20.1 – 26.x), null when absent.
   */
  status?: number | null;
  /** `child_exit`: decoded exit code / signal number when known. */
  exitcode?: number | null;
  signal?: number | null;
  /** `nworkers_changed`. */
  new?: number;
  old?: number | null;
  /** `on_starting` / `when_ready`. */
  version?: string;
  addresses?: string[];
  workerClass?: string;
  /** `memory_guard`: the worker's RSS, private memory (USS) and the budget in force, bytes. */
  rss?: number;
  private?: number;
  budget?: number;
  /** `memory_guard`: requests the worker served (gunicorn's count), when known. */
  requests?: number | null;
  /** `memory_event`: what woke the watcher, and the figures it read then. */
  kind?: MemoryEventKind;
  /** `memory_event` threshold: the threshold crossed (bytes) and which way. */
  threshold?: number;
  direction?: "up" | "down" | null;
  /** `memory_event`: the group's usage and limit (null: unlimited or unreadable), bytes. */
  usage?: number | null;
  limit?: number | null;
  /** `memory_event` oom (v1 memory.oom_control). */
  oomKill?: number | null;
  underOom?: number | null;
  /** `memory_event` psi: the trigger ("some 100000 1000000") and the group's avg10 figures (%). */
  trigger?: string;
  someAvg10?: number | null;
  fullAvg10?: number | null;
  /** `memory_event` events: memory.events as read, and the counters that grew. */
  events?: Record<string, number>;
  changed?: string[];
  /** `memory_event` high: the memory.high written, bytes. */
  high?: number;
  /** `memory_event` unavailable: the part and why. */
  what?: string;
  reason?: string;
  /** Name of the exception the user's own hook raised (the record still goes out; gunicorn sees the error). */
  userHookError?: string;
  /** The record was above the line limit and lost its non-essential fields. */
  truncated?: boolean;
}

/** Every record the channel carries, in the order gunicorn runs them on a normal start and stop. */
export const HOOK_NAMES: readonly HookName[] = [
  "nworkers_changed",
  "on_starting",
  "when_ready",
  "post_fork",
  "post_worker_init",
  "memory_guard",
  "memory_event",
  "on_reload",
  "worker_int",
  "worker_abort",
  "worker_exit",
  "child_exit",
  "on_exit",
];
