/**
 * The wire format of the instrumentation channel. The generated gunicorn config writes one JSON object
 * per line to the file descriptor named by `GWARDEN_EVENT_FD` (a pipe the supervisor or profiler holds;
 * nothing is written when the variable is unset). Each line is a single `os.write` below PIPE_BUF, so
 * lines from the master and from workers never interleave.
 *
 *   {"hook":"post_worker_init","pid":4242,"ppid":4200,"time":1764214000.123}
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
  /** `child_exit`: raw wait status when gunicorn exposes it (≥ 21), else null. */
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
}
