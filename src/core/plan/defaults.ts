/**
 * The planner's named constants. Every default here is a documented choice, not a measurement: the
 * reasons in a plan cite them. Figures in MiB come from research/baseline-lessons.md and simplelogin.md.
 */
import { MiB } from "../size.js";

/**
 * gwarden run's own charge in the app's cgroup when `plan` cannot measure it (plan without run): its
 * anonymous memory, measured by bench/run-cost.mjs (4 workers, sampled every second for 60 s, adaptive
 * control on): 12.8 MiB on average, 16.4 MiB at the peak — rounded up. Node's other ~40 MiB of RSS are
 * file-backed pages of its binary: page cache, clean and reclaimable, which the kernel drops under
 * pressure instead of killing anything; the margin covers page cache.
 */
export const SUPERVISOR_BYTES = 17 * MiB;
/**
 * What `run` adds to the anonymous memory it measures in itself at plan time: the HTTP server, the
 * sampler and the event buffers start after the plan (run-cost.mjs: the peak is 3.6 MiB above the
 * average, which is itself above the plan-time figure).
 */
export const SUPERVISOR_GROWTH_BYTES = 8 * MiB;

/** Without a profile: a SimpleLogin-sized app (simplelogin.md §6: 115–130 MiB per worker). */
export const DEFAULT_WORKER_PRIVATE_BYTES = 115 * MiB;
/** Without a profile: the master without preload (gunicorn + Python, no app). */
export const DEFAULT_MASTER_BYTES = 30 * MiB;
/** Without a profile: shared libraries and interpreter pages counted once for all workers. */
export const DEFAULT_SHARED_BYTES = 15 * MiB;
/** Without a profile: the import time, the slow end of the measured 1–4 s (baseline-lessons 7). */
export const DEFAULT_IMPORT_SECONDS = 4;

/** Safety margin: a share of the limit for page cache charged to the group, growth and exit paths. */
export const MARGIN_FRACTION = 0.1;
export const MARGIN_MIN_BYTES = 24 * MiB;
/** Low-memory mode: a bigger margin (survival over throughput). */
export const LOW_MEMORY_MARGIN_FRACTION = 0.15;
export const LOW_MEMORY_MARGIN_MIN_BYTES = 32 * MiB;

/**
 * Without a measured exit spike (a schema-1 profile): a preloaded worker breaks copy-on-write while
 * exiting, ~70 MiB more (baseline-lessons 9), about five times its steady private memory. `profile`
 * now measures it (the example app: 22 MiB).
 */
export const PRELOAD_EXIT_SPIKE_BYTES = 70 * MiB;
export const PRELOAD_EXIT_SPIKE_FACTOR = 5;

/**
 * The CPUs' idle time that one more process is not worth: past the CPU rule, processes are added for
 * measured waits only while the CPUs would still sit idle more than this. A process that wins back less
 * costs more in memory and contention: on 1 CPU the example app (waiting 16 % of a request) served
 * 2 preloaded sync workers 19 % faster than 3 in the lab's run-off (3 alternated passes each).
 */
export const IDLE_CPU_TOLERANCE = 0.05;

/** Resident cost of one more gthread thread (stack pages touched, request buffers). */
export const THREAD_BYTES = 2 * MiB;
/** Most threads per worker the planner uses: the GIL makes more pointless for CPU work. */
export const MAX_THREADS = 4;

/** Request budget for sync workers (gunicorn's own default). */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Below Kubernetes' 30 s grace period; Docker's `stop` default of 10 s needs `-t 30` or `stop_grace_period`. */
export const GRACEFUL_TIMEOUT_SECONDS = 25;
/** Floor of the boot deadline (a cold disk cache alone can take seconds). */
export const BOOT_DEADLINE_MIN_SECONDS = 10;
/** Boot deadline = factor × import × CPU starvation. */
export const BOOT_DEADLINE_FACTOR = 3;
export const KEEPALIVE_SECONDS = 2;
/**
 * gthread: close after each response. A gthread worker that retires (HUP, max_requests, gwarden's
 * recycling) drops requests already sent on its idle keep-alive connections: with 1 × 4 threads under
 * wrk, 6 HUPs cost 28 of 19 375 requests at keep-alive 2 and none at 0 (a loopback connect per request).
 */
export const GTHREAD_KEEPALIVE_SECONDS = 0;

/** max_requests: assumed peak rate per worker (baseline: ~1250 req/s for 2 sync workers on 1 CPU). */
export const PEAK_REQUESTS_PER_WORKER_SECOND = 600;
/** A recycle may cost at most 1/OVERHEAD of a worker's time: interval ≥ OVERHEAD × import. */
export const RECYCLE_OVERHEAD_FACTOR = 100;
export const MAX_REQUESTS_MIN = 5_000;
export const MAX_REQUESTS_MAX = 200_000;
export const MAX_REQUESTS_JITTER_FRACTION = 0.2;
/** Memory recycling lets a worker grow by at most this share of its private size. */
export const RECYCLE_GROWTH_FRACTION = 0.5;
export const LOW_MEMORY_RECYCLE_GROWTH_FRACTION = 0.25;
/**
 * ...but at least this much (when the limit has room): a preloaded worker's small private size grows as
 * refcount writes un-share pages, and recycling it every few MiB would be a restart storm.
 */
export const RECYCLE_MIN_GROWTH_BYTES = 32 * MiB;
export const LOW_MEMORY_RECYCLE_MIN_GROWTH_BYTES = 16 * MiB;

/** Listen backlog per unit of concurrency, and its bounds. */
export const BACKLOG_PER_SLOT = 64;
export const BACKLOG_MIN = 64;
export const BACKLOG_MAX = 2048;

/** PostgreSQL: superuser_reserved_connections (3) + other processes (cron, email, job runner, psql). */
export const POSTGRES_RESERVED_CONNECTIONS = 10;
export const POSTGRES_DEFAULT_MAX_CONNECTIONS = 100;
/** With the DB on the box, never plan max_connections below this. */
export const POSTGRES_MIN_CONNECTIONS = 20;
/**
 * PostgreSQL 15's always-on processes (postmaster, checkpointer, background writer, walwriter, autovacuum
 * and logical replication launchers): 17–19 MiB PSS measured here, idle and after 2000 of the example
 * app's /db requests (shared_buffers 16–32 MiB).
 */
export const POSTGRES_BASE_BYTES = 18 * MiB;
/** A backend after real queries (catalog caches warm): 3.4–4.1 MiB PSS measured, 1.2–1.9 MiB private. */
export const POSTGRES_BACKEND_BYTES = 4 * MiB;
