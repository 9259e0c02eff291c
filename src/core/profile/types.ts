/**
 * What `profile` measures about an app, and what `plan` reads. Bytes are bytes, times are seconds.
 * Written as JSON to `.gwarden/profile.json` by default.
 */
import type { ProcessMemory } from "../proc/smaps-rollup.js";
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
}

export interface Profile {
  schema: 1;
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
  };
  urls: string[];
  runs: ProfileRunResult[];
  host: { cpus: number; memoryLimitBytes: number | null };
}
