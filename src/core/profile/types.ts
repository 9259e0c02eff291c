/**
 * What `profile` measures about an app, and what `plan` reads. Bytes are bytes, times are seconds.
 * Written as JSON to `.gwarden/profile.json` by default.
 */
import type { ProcessMemory } from "../proc/smaps-rollup.js";
import type { RequestSpec } from "./request-spec.js";

/**
 * Requests of one kind timed against the workers' CPU (schedstat). The workers are kept busy (more
 * requests outstanding than workers), so a worker's time in the window is CPU, waiting for a CPU (the run
 * queue: a busy host) or blocked — and blocked can only be the app waiting (I/O, locks), not a slow client.
 * Times are mean milliseconds per request.
 */
export interface CpuTiming {
  /** The request as `requestLabel` writes it (`/health`, `POST /login`). */
  request: string;
  requests: number;
  workers: number;
  /** Requests outstanding at once (4 × workers, at least 16: the worker never waits for the client). */
  concurrency: number;
  /** Latency seen by the client (queueing included). */
  wallMs: number;
  /** The workers' CPU time per request. */
  cpuMs: number;
  /** Time a worker waited for a CPU per request: the profiling host being busy, not the app. */
  runqueueMs: number;
  /** Time a worker was blocked per request: workers × window − CPU − run queue, per request. */
  blockedMs: number;
  /** Requests per second over the timed window. */
  rps: number;
}

/** The copy-on-write spike of a preloaded worker's exit, measured by retiring one (as max_requests would). */
export interface ExitSpike {
  bytes: number;
  /** `cgroup`: the group's memory high-water mark; `pss`: the PSS sum of master and workers, sampled. */
  method: "cgroup" | "pss";
  beforeBytes: number;
  peakBytes: number;
  /** From the TERM to the replacement's post_worker_init, seconds. */
  seconds: number;
}

export interface ProfileRunResult {
  /** `single`: 1 worker, no preload; `preload`: 1 worker, --preload; `preload-shared`: 3 workers, --preload + gc.freeze(). */
  mode: "single" | "preload" | "preload-shared";
  workers: number;
  ok: boolean;
  /** Fork to post_worker_init, per worker (seconds). With preload this is only the fork. */
  bootSeconds: number[];
  /** Master start to the import finishing in the master (preload modes only). */
  masterImportSeconds: number | null;
  /** Spawn to the master's `on_starting` hook (interpreter + gunicorn start, + the app import with preload). */
  startSeconds: number | null;
  /** Distinct workers that served a warm-up request (from their shared-memory request counters; null when not recorded). */
  workersAnswering?: number | null;
  master: ProcessMemory | null;
  workerMemory: ProcessMemory[];
  urls: Array<{ path: string; status: number | null; ok: boolean; ms: number | null; error?: string }>;
  error?: string;
  /** Schema 2: each request timed at concurrency = workers (single run: 1; preload-shared: 3, mixed). */
  cpu?: CpuTiming[];
  /** Schema 2, preload-shared run: one worker retired under preload. */
  exitSpike?: ExitSpike | null;
}

/** How much of a request's time the worker spends on a CPU: the planner's I/O-wait signal. */
export interface CpuProfile {
  /** Per request kind, one worker (no preload) kept busy. */
  single: CpuTiming[];
  /** The mixed requests with N preloaded workers kept busy, or null when not measured. */
  concurrent: CpuTiming | null;
  /**
   * CPU ÷ (CPU + blocked) of one busy worker, each request kind weighted equally (as the lab's load mixes
   * them): 1 for an app that never waits, lower the more it waits on I/O (a database, a disk).
   */
  share: number;
}

export interface Profile {
  /** 1: PR-era profiles (memory and import only); 2 adds `requests`, `cpu` and `preload.exitSpike`. */
  schema: 1 | 2;
  createdAt: string;
  app: {
    /** The gunicorn arguments as given after `--`, minus gwarden-managed flags. */
    argv: string[];
    /** `module:callable` as gunicorn was told. */
    spec: string;
    chdir: string | null;
    /** Where the app was imported from (AppIdentity.where); absent in profiles made before it was recorded. */
    where?: string;
    /** Stable identity of the app (spec + where): a profile from another app is refused. */
    fingerprint: string;
  };
  gunicorn: { version: string; python: string; workerClass: string };
  /** Median time for a worker to import the app (no preload), seconds. */
  importSeconds: number;
  /** Master's memory without preload. */
  master: ProcessMemory;
  /** A worker's memory after warm-up, no preload (its USS is the per-worker private cost). */
  worker: ProcessMemory;
  preload: {
    /** The app booted with --preload and every warm-up URL answered 2xx with several workers. */
    safe: boolean;
    reason: string;
    masterImportSeconds: number | null;
    /** Master's memory with preload (it holds the imported app). */
    master: ProcessMemory | null;
    /** Mean private memory per worker with preload + gc.freeze() and 3 workers. */
    workerPrivateBytes: number | null;
    /** Schema 2: measured exit spike (absent in schema 1; null when it could not be measured). */
    exitSpike?: ExitSpike | null;
  };
  /** The requests as labels (`/health`, `POST /login`). */
  urls: string[];
  /** Schema 2: the requests in full (method, headers, body). */
  requests?: RequestSpec[];
  /** Schema 2: CPU time against wall time per request (absent in schema 1). */
  cpu?: CpuProfile | null;
  runs: ProfileRunResult[];
  host: { cpus: number; memoryLimitBytes: number | null };
}
