import type { PythonRuntime } from "./python-runtime.js";

/**
 * Input of the gunicorn config renderer (`renderGunicornConf`, src/core/conf/render.ts). The rendered
 * `gunicorn.conf.py` is what `plan --format conf` prints, what `profile` boots with, and what `run`
 * launches: it sets these settings, loads the user's own config file first (so every user setting and
 * hook survives unless gwarden sets the same name), chains every user hook, and adds the
 * instrumentation hooks that write HookRecords (src/core/events/hook-record.ts) to GWARDEN_EVENT_FD.
 */
export interface ConfSettings {
  bind?: string[];
  workers?: number;
  threads?: number;
  worker_class?: string;
  timeout?: number;
  graceful_timeout?: number;
  max_requests?: number;
  max_requests_jitter?: number;
  preload_app?: boolean;
  worker_tmp_dir?: string;
  backlog?: number;
  keepalive?: number;
  loglevel?: string;
}

export interface ConfOptions {
  settings: ConfSettings;
  /** gc.disable() at config load, gc.freeze() in pre_fork, gc.enable() in post_fork (preload only). */
  gcFreeze: boolean;
  /**
   * The user's own gunicorn config to load and chain, or null: an absolute path (`file:` prefix
   * allowed) or `python:module.name`, as gunicorn's -c takes it. Executed as a module, then every name
   * gunicorn knows as a setting is kept unless gwarden sets it; user hooks gwarden does not wrap pass
   * through untouched.
   */
  userConfig: string | null;
  /** Comment lines for the file header (e.g. the plan's reasons). */
  comments: string[];
  /**
   * The in-worker memory guard embedded in the conf (a saved conf keeps it without gwarden): each worker
   * retires after the request that takes its private memory to `bytes`, as max_requests does. Unless
   * `explicit`, the budget is never below a fresh worker's private memory + max(32 MiB, 25 %).
   * GWARDEN_GUARD_BYTES / GWARDEN_GUARD_EXPLICIT override it at run time; null: no guard unless they say.
   */
  guard: { bytes: number; explicit: boolean } | null;
  /** The Python runtime's sources (src/adapters/conf/python-runtime.ts reads them). */
  runtime: PythonRuntime;
}
