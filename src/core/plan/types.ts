/**
 * A plan: the gunicorn configuration gwarden recommends for one box and one app, with the reason for
 * every number. Produced by the pure planner (`planGunicorn`), emitted as gunicorn.conf.py, args, env,
 * JSON or a Kubernetes fragment, and launched by `run`.
 */
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
  workerTmpDir: string;
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
    /** master + workers × perWorker + shared + supervisor + database + margin. */
    plannedBytes: number;
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
}
