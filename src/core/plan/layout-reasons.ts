/** Reasons (with MiB arithmetic) for the memory budget, workers, threads, preload and the DB pool. */
import type { PlanReason } from "./types.js";
import type { AppCosts } from "./app-costs.js";
import type { Layout, WorkerPolicy } from "./workers.js";
import { ioProcesses, threadConcurrencyTarget } from "./workers.js";
import {
  IDLE_CPU_TOLERANCE,
  MAX_THREADS,
  POSTGRES_BACKEND_BYTES,
  POSTGRES_BASE_BYTES,
  THREAD_BYTES,
} from "./defaults.js";
import { postgresBackends } from "./database.js";
import { mib } from "./mib.js";

/** The budget line: `30 master + 1 × 121 worker + ... = 236.6 MiB ≤ 256 MiB`. */
export function budgetArithmetic(layout: Layout, limitBytes: number): string {
  const b = layout.budget;
  const parts = [
    `${mib(b.masterBytes)} master`,
    `${layout.workers} × ${mib(b.perWorkerBytes)} worker`,
    `${mib(b.sharedBytes)} shared`,
  ];
  if (b.transientBytes > 0) parts.push(`${mib(b.transientBytes)} exit spike`);
  parts.push(`${mib(b.supervisorBytes)} supervisor`);
  if (b.databaseBytes > 0) parts.push(`${mib(b.databaseBytes)} postgres`);
  parts.push(`${mib(b.marginBytes)} margin`);
  const op = b.plannedBytes <= limitBytes ? "≤" : ">";
  return `${parts.join(" + ")} = ${mib(b.plannedBytes)} MiB ${op} ${mib(limitBytes)} MiB limit`;
}

/** Reasons for the memory figures of the chosen layout. */
export function memoryReasons(
  layout: Layout,
  costs: AppCosts,
  limitBytes: number,
  memorySource: string,
  supervisorNote: string,
  lowMemory: boolean,
): Record<string, PlanReason> {
  const b = layout.budget;
  const m = layout.mode;
  return {
    "memory.limitBytes": {
      value: `${mib(limitBytes)} MiB`,
      reason: `the memory the app's group may use (${memorySource})`,
    },
    "memory.masterBytes": { value: `${mib(b.masterBytes)} MiB`, reason: m.notes.master },
    "memory.perWorkerBytes": {
      value: `${mib(b.perWorkerBytes)} MiB`,
      reason: `${m.notes.worker}${layout.threads > 1 ? `, plus ${mib(THREAD_BYTES)} MiB per extra thread` : ""}`,
      arithmetic: `${mib(m.workerPrivateBytes)} + (${layout.threads} − 1) × ${mib(THREAD_BYTES)} = ${mib(b.perWorkerBytes)} MiB`,
    },
    "memory.sharedBytes": { value: `${mib(b.sharedBytes)} MiB`, reason: m.notes.shared },
    "memory.transientBytes": { value: `${mib(b.transientBytes)} MiB`, reason: m.notes.transient },
    "memory.supervisorBytes": { value: `${mib(b.supervisorBytes)} MiB`, reason: supervisorNote },
    "memory.databaseBytes": {
      value: `${mib(b.databaseBytes)} MiB`,
      reason: b.postgres
        ? "PostgreSQL shares the box (--db-on-box): its estimated resident memory is counted"
        : "the database is elsewhere",
    },
    "memory.marginBytes": {
      value: `${mib(b.marginBytes)} MiB`,
      reason: `safety margin for page cache charged to the group, heap growth and exit paths (shutdown at the limit can itself OOM)${lowMemory ? "; bigger in low-memory mode" : ""}`,
      arithmetic: lowMemory
        ? `max(32, 15 % × ${mib(limitBytes)}) MiB`
        : `max(24, 10 % × ${mib(limitBytes)}) MiB`,
    },
    "memory.plannedBytes": {
      value: `${mib(b.plannedBytes)} MiB`,
      reason: layout.overLimit
        ? "even one worker does not fit the limit"
        : `everything gwarden plans for, ${Math.round((100 * b.plannedBytes) / limitBytes)} % of the limit`,
      arithmetic: budgetArithmetic(layout, limitBytes),
    },
    profile: {
      value: costs.source,
      reason:
        costs.source === "measured"
          ? "figures come from the app's profile"
          : "no profile: conservative defaults for a SimpleLogin-sized app (115 MiB per worker, 4 s import, 30 MiB master)",
    },
  };
}

const pct = (share: number): string => `${Math.round(share * 100)} %`;

/** Reasons for workers, threads, worker class, preload, gc.freeze and the bounds. */
export function layoutReasons(
  layout: Layout,
  costs: AppCosts,
  policy: WorkerPolicy,
  bounds: { min: number; max: number },
): Record<string, PlanReason> {
  const cpuText = `⌈${policy.cpus}⌉`;
  const share = policy.cpuShare;
  const io = ioProcesses(policy.cpus, share);
  const ioArith =
    share === null || share >= 1
      ? ""
      : ` + ${io} for I/O waits (each process waiting ${pct(1 - share)} of the time: the fewest that leave the CPUs idle ≤ ${pct(IDLE_CPU_TOLERANCE)}, at most ${cpuText} + 1)`;
  const optimumArith = policy.lowMemory
    ? `${cpuText} = ${layout.optimum} (low-memory mode)`
    : `max(2, ${cpuText} + 1)${ioArith} → ${layout.optimum}`;
  const capped = Math.min(layout.ceiling, layout.optimum);
  const workers: PlanReason = layout.overLimit
    ? {
        value: "1",
        reason: "even one worker does not fit the limit; 1 is the least gunicorn can run",
        arithmetic: `1 worker: ${mib(layout.budget.plannedBytes)} MiB needed`,
      }
    : layout.workers !== capped
      ? {
          value: String(layout.workers),
          reason: `${capped} worker(s) would not fit: fewer workers get more threads each, and with PostgreSQL on the box more pooled connections and backends; ${layout.workers} is the nearest count that fits`,
          arithmetic: `min(memory ceiling ${layout.ceiling}, CPU optimum ${optimumArith}) = ${capped} does not fit; nearest that fits = ${layout.workers}`,
        }
      : {
          value: String(layout.workers),
          reason:
            layout.workers < layout.optimum
              ? `memory is the ceiling: only ${layout.ceiling} worker(s) fit, below the CPU optimum of ${layout.optimum}`
              : `${io > 0 ? "the CPUs and the app's measured waiting set" : "CPU sets"} the optimum (more processes than this hurt on few CPUs); memory would allow ${layout.ceiling}`,
          arithmetic: `min(memory ceiling ${layout.ceiling}, CPU optimum ${optimumArith}) = ${layout.workers}`,
        };
  const threads: PlanReason =
    layout.threads > 1
      ? {
          value: String(layout.threads),
          reason: policy.lowMemory
            ? "low-memory mode: concurrency from threads (2 MiB each) instead of processes (a whole app each); the app must be thread-safe (no DB connection shared across threads)"
            : "too few processes fit for the CPUs, so threads add concurrency for I/O waits at 2 MiB each; the app must be thread-safe (no DB connection shared across threads; use --no-threads otherwise)",
          arithmetic: `min(${MAX_THREADS}, max(2, ⌈2 × CPU optimum = ${threadConcurrencyTarget(policy.cpus, share)} ÷ ${layout.workers}⌉)) = ${layout.threads}`,
        }
      : {
          value: "1",
          reason: policy.allowThreads
            ? "the processes reach the CPU optimum: plain sync workers, where timeout is a hard per-request limit"
            : policy.noThreadsReason,
        };
  const preload = layout.mode.preload;
  const alt = layout.alternative;
  const altText = alt
    ? ` (${alt.preload ? "with" : "without"} preload: ${alt.ceiling === 0 ? "not even 1 worker fits" : `${alt.workers} worker(s), ${mib(alt.plannedBytes)} MiB`})`
    : "";
  return {
    workers,
    cpuShare: {
      value: share === null ? "unknown" : String(share),
      reason: `the share of a busy worker's time spent on a CPU; the rest is waiting (a database, a disk), which ${io > 0 ? `${io} more process(es) cover` : "is too little to need another process"}: ${costs.cpuNote}`,
    },
    threads,
    workerClass: {
      value: layout.threads > 1 ? "gthread" : "sync",
      reason:
        layout.threads > 1
          ? "threads > 1 means gthread"
          : "one request per process; the simplest and the default",
    },
    preload: {
      value: String(preload),
      reason: preload
        ? `${costs.preloadNote}; it fits more workers or leaves more headroom${altText}. The master then holds the app and becomes the OOM victim: gwarden run protects it with oom_score_adj`
        : `${costs.preloadNote}${altText}`,
    },
    gcFreeze: {
      value: String(preload),
      reason: preload
        ? "gc.freeze() before fork keeps preloaded pages shared (gunicorn.md §10)"
        : "only useful with preload",
    },
    minWorkers: { value: String(bounds.min), reason: "adaptive control never goes below one worker" },
    maxWorkers: {
      value: String(bounds.max),
      reason:
        "adaptive control may add workers under load up to the memory ceiling, but not far past the CPUs",
      arithmetic: layout.overLimit
        ? "1 (over the limit)"
        : `max(${layout.workers}, min(ceiling ${layout.ceiling}, ${policy.lowMemory ? `optimum ${layout.optimum}` : `${layout.optimum} + ${cpuText}`})) = ${bounds.max}`,
    },
  };
}

/** Reasons for the SQLAlchemy pool and, on a shared box, PostgreSQL's settings. */
export function databaseReasons(
  layout: Layout,
  maxConnections: number,
  reserved: number,
): Record<string, PlanReason> {
  const pool = layout.budget.pool;
  const pg = layout.budget.postgres;
  const out: Record<string, PlanReason> = {
    "database.poolSize": {
      value: String(pool.poolSize),
      reason: "one connection per thread (a thread holds at most one); exported as GWARDEN_DB_POOL_SIZE",
      arithmetic: `min(${layout.threads} threads, ⌊(${maxConnections} − ${reserved}) ÷ ${layout.workers}⌋) = ${pool.poolSize}`,
    },
    "database.maxOverflow": {
      value: String(pool.maxOverflow),
      reason:
        "burst connections above the pool, kept under the server's limit; exported as GWARDEN_DB_MAX_OVERFLOW",
    },
    "database.totalConnections": {
      value: String(pool.totalConnections),
      reason: `all workers together stay under max_connections − ${reserved} reserved (3 superuser + cron, email, job runner, psql)`,
      arithmetic: `${layout.workers} × (${pool.poolSize} + ${pool.maxOverflow}) = ${pool.totalConnections} ≤ ${maxConnections} − ${reserved} = ${maxConnections - reserved}`,
    },
  };
  if (pg) {
    out["postgres.sharedBuffers"] = {
      value: `${mib(pg.sharedBuffersBytes)} MiB`,
      reason: "1/16 of the box (16 MiB–1 GiB): the app needs the rest",
    };
    out["postgres.workMem"] = {
      value: `${mib(pg.workMemBytes)} MiB`,
      reason: "per sort/hash node: 2 MiB below 1 GiB or in low-memory mode, else 4 MiB",
    };
    out["postgres.maintenanceWorkMem"] = {
      value: `${mib(pg.maintenanceWorkMemBytes)} MiB`,
      reason: "1/16 of the box (16–256 MiB); set autovacuum_max_workers = 1",
    };
    out["postgres.effectiveCacheSize"] = {
      value: `${mib(pg.effectiveCacheSizeBytes)} MiB`,
      reason: "half the box: a planner hint, no allocation (the 4 GB default is wrong on a small box)",
    };
    out["postgres.maxConnections"] = {
      value: String(pg.maxConnections),
      reason: "the app's connections plus the reserve, at least 20; each idle backend costs ~5 MiB",
      arithmetic: `max(20, ${pool.totalConnections} + ${reserved}) = ${pg.maxConnections}`,
    };
    out["postgres.estimatedBytes"] = {
      value: `${mib(pg.estimatedBytes)} MiB`,
      reason:
        "what a server of this size keeps resident: shared_buffers in full + the always-on processes (18 MiB measured) + a backend (4 MiB measured) per connection the app's pools may open and one autovacuum worker + one work_mem per worker (a sort in flight); other clients' backends and maintenance_work_mem (one vacuum at a time) are left to the margin",
      arithmetic: `${mib(pg.sharedBuffersBytes)} + ${mib(POSTGRES_BASE_BYTES)} + ${postgresBackends(pool)} × ${mib(POSTGRES_BACKEND_BYTES)} + ${layout.workers} × ${mib(pg.workMemBytes)} = ${mib(pg.estimatedBytes)} MiB`,
    };
  }
  return out;
}
