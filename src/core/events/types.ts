/**
 * The one lifecycle vocabulary (DESIGN.md): events from gunicorn's hooks, from its logs, from /proc,
 * from cgroup counters and from the supervisor itself. `analyze`, `run`, the monitor, the dashboard and
 * the lab all speak it.
 */
export type EventSource = "hook" | "log" | "proc" | "cgroup" | "supervisor";

export type WorkerSignalCause =
  "timeout-escalation" | "oom-suspected" | "oom-confirmed" | "shutdown" | "scale-down" | "unknown";

export type MasterSignal = "hup" | "ttin" | "ttou" | "term" | "int" | "quit" | "usr1" | "usr2" | "winch";

interface Base {
  /** ISO 8601 when known. */
  time?: string;
  pid?: number;
  source: EventSource;
  /** The raw text, when the event came from a log line. */
  line?: string;
  /** The service that logged it when several share one stream (docker compose `web-1  | `, syslog tag). */
  service?: string;
  /** 1-based line number in the input, when the event came from a log. */
  lineNo?: number;
}

export type GunicornEvent = Base &
  (
    | { kind: "start"; version?: string; masterPid?: number }
    | { kind: "listening"; address: string }
    | { kind: "worker_boot" }
    | { kind: "worker_ready" }
    | { kind: "worker_exit" }
    | { kind: "worker_timeout" }
    | { kind: "worker_exit_code"; code: number; signal?: string; coreDump?: boolean }
    | { kind: "worker_signal"; signal: string; cause: WorkerSignalCause; detail?: string }
    | {
        kind: "master_signal";
        signal: MasterSignal;
        /** `service-manager`: a stop announced by systemd (`Stopping <unit>...`), which signals the master (and, with KillMode=control-group, the workers). */
        from?: "service-manager";
      }
    | { kind: "max_requests_restart" }
    | { kind: "app_load_error"; message: string }
    | { kind: "worker_boot_error"; message?: string }
    | { kind: "request_error"; path?: string; message?: string }
    | { kind: "bind_error"; address?: string; message: string }
    | { kind: "halt"; reason: string; exitCode?: number }
    | { kind: "master_crash"; message: string }
    | { kind: "logging_error"; message?: string }
    | { kind: "scale_up"; from: number; to: number; reason: string }
    | { kind: "scale_down"; from: number; to: number; reason: string }
    | { kind: "recycle"; reason: string; bytes?: number }
    | { kind: "boot_deadline_kill"; deadlineSeconds: number }
    | { kind: "restart"; attempt: number; delayMs: number; reason: string }
  );

export type EventKind = GunicornEvent["kind"];

/** The event of a given kind, e.g. `EventOf<"worker_signal">`. */
export type EventOf<K extends EventKind> = Extract<GunicornEvent, { kind: K }>;

/** An event without its `source`, for code that builds events (distributes over the union). */
export type EventDraft = GunicornEvent extends infer E
  ? E extends GunicornEvent
    ? Omit<E, "source">
    : never
  : never;
