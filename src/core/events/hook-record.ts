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
  | "pre_request"
  | "post_request";

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
  /** `pre_request` / `post_request`: busy request slots in this worker after the change. */
  busy?: number;
  /** Name of the exception the user's own hook raised (the record still goes out; gunicorn sees the error). */
  userHookError?: string;
  /** The record was above the line limit and lost its non-essential fields. */
  truncated?: boolean;
}

/** Every hook name, in the order gunicorn runs them on a normal start and stop. */
export const HOOK_NAMES: readonly HookName[] = [
  "nworkers_changed",
  "on_starting",
  "when_ready",
  "post_fork",
  "post_worker_init",
  "pre_request",
  "post_request",
  "on_reload",
  "worker_int",
  "worker_abort",
  "worker_exit",
  "child_exit",
  "on_exit",
];
