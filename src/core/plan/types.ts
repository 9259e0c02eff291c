/**
 * A plan: the gunicorn configuration gwarden recommends for one box and one app, with the reason for
 * every number. Produced by the pure planner (`planGunicorn`), emitted as gunicorn.conf.py, args, env,
 * JSON or a Kubernetes fragment, and launched by `run`.
 */
import type { Profile } from "../profile/types.js";

export type WorkerClass = "sync" | "gthread";

export interface PlanReason {
  /** The value, as a person would write it (`3`, `30 s`, `/dev/shm`). */
  value: string;
  /** Why, in one sentence. */
  reason: string;
  /** The arithmetic, when there is some (`(256 − 20 − 30 − 26) MiB / 60 MiB = 3.0 → 3`). */
  arithmetic?: string;
}

export interface PlanPostgres {
  sharedBuffersBytes: number;
  workMemBytes: number;
  maintenanceWorkMemBytes: number;
  effectiveCacheSizeBytes: number;
  maxConnections: number;
  /** Estimated resident cost of the server, counted in the memory budget when it shares the box. */
  estimatedBytes: number;
}

export interface Plan {
  schema: 1;
  workers: number;
  /** Bounds for adaptive control (`run`): never below min, never above max. */
  minWorkers: number;
  maxWorkers: number;
  threads: number;
  workerClass: WorkerClass;
  /** Seconds. Request budget (sync) / frozen-loop budget (gthread). */
  timeout: number;
  gracefulTimeout: number;
  /** Seconds from `Booting worker` to post_worker_init after which `run` kills the worker. */
  bootDeadline: number;
  maxRequests: number;
  maxRequestsJitter: number;
  preload: boolean;
  gcFreeze: boolean;
  /** Where heartbeat files go; null: gunicorn's own default (TMPDIR or /tmp), as no tmpfs was usable. */
  workerTmpDir: string | null;
  backlog: number;
  keepalive: number;
  /** Private-memory budget per worker; `run` recycles a worker that passes it. */
  recycleBytes: number;
  memory: {
    limitBytes: number;
    supervisorBytes: number;
    masterBytes: number;
    perWorkerBytes: number;
    sharedBytes: number;
    databaseBytes: number;
    marginBytes: number;
    /** One-at-a-time transient: a preloaded worker's exit-time copy-on-write spike (0 without preload). */
    transientBytes: number;
    /** master + workers × perWorker + shared + transient + supervisor + database + margin. */
    plannedBytes: number;
    /** True when even one worker does not fit the limit (the plan then still says 1 worker). */
    overLimit: boolean;
  };
  database: {
    poolSize: number;
    maxOverflow: number;
    /** Total connections all workers can open: workers × threads-aware (pool + overflow). */
    totalConnections: number;
    postgresMaxConnections: number;
    postgres: PlanPostgres | null;
  };
  inputs: {
    memoryBytes: number;
    memorySource: string;
    cpus: number;
    cpuSource: string;
    profile: "measured" | "default";
    lowMemory: boolean;
    dbOnBox: boolean;
    gunicornVersion: string | null;
  };
  reasons: Record<string, PlanReason>;
  warnings: string[];
  /** Flags on the given gunicorn command line that beat the plan (CLI > GUNICORN_CMD_ARGS > config file). */
  conflicts: PlanConflict[];
}

/** A setting the app's own command line fixes to another value than the plan's. */
export interface PlanConflict {
  /** gunicorn setting name (`workers`, `timeout`, ...). */
  setting: string;
  /** The flag as written (`-w 2`). */
  given: string;
  planned: string;
  message: string;
}

/** A directory that could hold gunicorn's heartbeat files, as the adapter found it on this box. */
export interface HeartbeatDirFact {
  dir: string;
  /** It exists, is a directory, and this user can create files in it. */
  usable: boolean;
  /** Its filesystem type from mountinfo (`tmpfs`, `ext4`, …), null when unknown. */
  fsType: string | null;
}

/** The resource figures the planner sizes for (from `detect`, or what-if flags). */
export interface PlanResources {
  /** The memory limit, or the host's total when there is no limit. */
  memoryBytes: number;
  memorySource: string;
  /** Effective CPUs (min of quota and affinity), may be fractional. */
  cpus: number;
  cpuSource: string;
  /** Swap usable by the group, null when unknown. */
  swapBytes: number | null;
  /** Candidate directories for the workers' heartbeat files, as found on the box, preferred first. */
  heartbeatDirs: HeartbeatDirFact[];
  /** Detection warnings to carry into the plan (host fallback inside a container, ...). */
  warnings: string[];
}

/** Choices that are not measurements. */
export interface PlanPolicy {
  /** LOW_MEMORY_MODE=true or --low-memory: survival over throughput. */
  lowMemory: boolean;
  /** PostgreSQL runs on the same box (its memory is counted; its settings are planned). */
  dbOnBox: boolean;
  /** gwarden's own charge in the group (its anonymous memory), counted only when `supervisorInGroup`. */
  supervisorBytes: number;
  /** Where `supervisorBytes` came from, for the reason (measured in this process, or the documented figure). */
  supervisorSource: string;
  /** gwarden run shares the app's memory cgroup (the default when gwarden launches gunicorn). */
  supervisorInGroup: boolean;
  /** `gunicorn --version`, or null when unknown (treated as ≤ 21: boot counts inside `timeout`). */
  gunicornVersion: string | null;
  /** PostgreSQL's max_connections (ignored with dbOnBox, where the plan sets it). */
  postgresMaxConnections: number;
  /** Connections kept free for superusers and other processes (cron, email handler, psql). */
  postgresReservedConnections: number;
  /** gthread may be used (false: the app is not thread-safe, e.g. one DB connection shared at import). */
  allowThreads: boolean;
  /** The app's gunicorn argv (after `--`), to report flags that would defeat the plan. */
  appArgv: string[];
}

/** Everything the pure planner needs. */
export interface PlanInput {
  resources: PlanResources;
  profile: Profile | null;
  policy: PlanPolicy;
}
