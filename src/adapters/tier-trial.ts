/**
 * One trial of a gunicorn configuration under a real memory limit: gunicorn starts inside a fresh
 * cgroup (memory + CPU quota, swap closed), gwarden waits for every worker's post_worker_init, sends a
 * fixed number of requests from outside the group, then counts what went wrong — worker timeouts (from
 * gunicorn's own log), OOM kills (the cgroup's counter), failed requests — and removes everything.
 * The tier bench and the lab are built from trials.
 */
import type { GunicornEvent } from "../core/events/types.js";
import type { HookRecord } from "../core/events/hook-record.js";
import { createLogParser } from "../core/log/log-parser.js";
import { createSandbox } from "./cgroup-sandbox.js";
import { freePort } from "./free-port.js";
import { startGunicorn, type GunicornProcess } from "./gunicorn-process.js";
import { runLoad } from "./load.js";

export interface TrialConfig {
  /** `default`, `planned`, ... */
  name: string;
  /** argv prefix that starts gunicorn. */
  launcher: string[];
  /** gunicorn arguments (sizing flags for hand-made configs, the app spec last); `-b` is added. */
  args: string[];
  /** The rendered gunicorn.conf.py (instrumented; may set sizing). */
  conf: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Workers that must report ready before the load starts. */
  expectedWorkers: number;
}

export interface TrialOptions {
  tierBytes: number;
  cpus: number;
  config: TrialConfig;
  /** Path requested by the load (`/db`). */
  path: string;
  requests: number;
  concurrency: number;
  /** How long to wait for every worker to be ready before loading anyway. */
  readyTimeoutMs?: number;
  /** Per-request deadline. */
  requestTimeoutMs?: number;
}

export interface TrialResult {
  config: string;
  tierBytes: number;
  cpus: number;
  workerTimeouts: number;
  oomKills: number;
  failedRequests: number;
  requests: number;
  /** Spawn to the last expected worker ready, seconds; null when they never all came up. */
  startupSeconds: number | null;
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  peakMemoryBytes: number | null;
  /** Workers that died (any signal or exit code) during the trial. */
  workerDeaths: number;
  events: GunicornEvent[];
  /** The end of gunicorn's log, for the report of a failing trial. */
  logTail: string;
}

const DEFAULT_READY_TIMEOUT_MS = 60_000;

function readyCount(records: readonly HookRecord[]): number {
  return new Set(records.filter((r) => r.hook === "post_worker_init").map((r) => r.pid)).size;
}

/** Runs one trial; never leaves a process or a cgroup behind. */
export async function runTrial(options: TrialOptions): Promise<TrialResult> {
  const { config, tierBytes, cpus } = options;
  const sandbox = await createSandbox({ memoryBytes: tierBytes, cpus, name: `trial-${config.name}` });
  const parser = createLogParser();
  const events: GunicornEvent[] = [];
  let partial = "";
  const onStderr = (text: string): void => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) for (const parsed of parser.feed(line)) events.push(parsed.event);
  };
  let gunicorn: GunicornProcess | null = null;
  try {
    const port = await freePort();
    gunicorn = await startGunicorn({
      launcher: sandbox.wrap(config.launcher),
      args: ["-b", `127.0.0.1:${port}`, ...config.args],
      conf: config.conf,
      env: config.env,
      cwd: config.cwd,
      onStderr,
      label: `${config.name} at ${Math.round(tierBytes / 1048576)} MiB`,
    });
    const spawnedAt = gunicorn.startedAt;
    let startupSeconds: number | null = null;
    try {
      await gunicorn.waitUntil((records) => readyCount(records) >= config.expectedWorkers, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      const readyTimes = gunicorn.records.filter((r) => r.hook === "post_worker_init").map((r) => r.time).sort((a, b) => a - b);
      startupSeconds = Math.round((readyTimes[config.expectedWorkers - 1]! - spawnedAt) * 1000) / 1000;
    } catch {
      // Never all ready (an OOM-kill loop, a boot-timeout loop, an exit): the load shows what users get.
    }
    const load = await runLoad({
      url: `http://127.0.0.1:${port}${options.path}`,
      requests: options.requests,
      concurrency: options.concurrency,
      timeoutMs: options.requestTimeoutMs ?? 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const oomKills = sandbox.oomKills();
    const peakMemoryBytes = sandbox.peakBytes();
    // Count what happened while serving; the shutdown's own kills are not the config's failures.
    const served = events.length;
    await gunicorn.stop(10_000);
    onStderr("\n");
    for (const parsed of parser.end()) events.push(parsed.event);
    const during = events.slice(0, served);
    return {
      config: config.name,
      tierBytes,
      cpus,
      workerTimeouts: during.filter((e) => e.kind === "worker_timeout").length,
      oomKills,
      failedRequests: load.failed,
      requests: load.requests,
      startupSeconds,
      rps: load.rps,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      peakMemoryBytes,
      workerDeaths: during.filter((e) => e.kind === "worker_signal" || (e.kind === "worker_exit_code" && e.code !== 0)).length,
      events,
      logTail: gunicorn.stderrTail().split("\n").slice(-40).join("\n"),
    };
  } finally {
    await gunicorn?.stop(2_000);
    await sandbox.remove();
  }
}
