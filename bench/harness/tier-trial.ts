/**
 * One trial of a gunicorn configuration under a real memory limit: gunicorn starts inside a fresh
 * cgroup (memory + CPU quota, swap closed), gwarden waits for every worker's post_worker_init, sends a
 * fixed number of requests from outside the group, then counts what went wrong — worker timeouts (from
 * gunicorn's own log), OOM kills (the cgroup's counter), failed requests — and removes everything.
 * The tier bench is built from trials; the lab shares their sandboxed start (sandboxed-gunicorn.ts).
 */
import type { TierTrialFigures } from "./tier-table.js";
import type { GunicornEvent } from "../../src/core/events/types.js";
import type { HookRecord } from "../../src/core/events/hook-record.js";
import { runLoad } from "./load.js";
import {
  startSandboxedGunicorn,
  type SandboxedGunicorn,
  type SandboxedGunicornOptions,
} from "../../src/adapters/sandbox/sandboxed-gunicorn.js";

/** A config to try: how gunicorn starts (as for a sandboxed start) and how many workers must be ready. */
export interface TrialConfig extends Pick<
  SandboxedGunicornOptions,
  "launcher" | "args" | "conf" | "env" | "cwd"
> {
  /** `default`, `planned`, ... */
  name: string;
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

/** The table's figures (config, timeouts, OOM kills, failed, requests, startup, rps, p99) and more. */
export interface TrialResult extends TierTrialFigures {
  tierBytes: number;
  cpus: number;
  p50Ms: number | null;
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
  let instance: SandboxedGunicorn | null = null;
  try {
    instance = await startSandboxedGunicorn({
      tierBytes,
      cpus,
      name: `trial-${config.name}`,
      launcher: config.launcher,
      args: config.args,
      conf: config.conf,
      env: config.env,
      cwd: config.cwd,
      label: `${config.name} at ${Math.round(tierBytes / 1048576)} MiB`,
    });
    const { gunicorn, sandbox, events } = instance;
    const spawnedAt = gunicorn.startedAt;
    let startupSeconds: number | null = null;
    try {
      await gunicorn.waitUntil(
        (records) => readyCount(records) >= config.expectedWorkers,
        options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      );
      const readyTimes = gunicorn.records
        .filter((r) => r.hook === "post_worker_init")
        .map((r) => r.time)
        .sort((a, b) => a - b);
      startupSeconds = Math.round((readyTimes[config.expectedWorkers - 1]! - spawnedAt) * 1000) / 1000;
    } catch {
      // Never all ready (an OOM-kill loop, a boot-timeout loop, an exit): the load shows what users get.
    }
    const load = await runLoad({
      url: `${instance.origin}${options.path}`,
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
    instance.flushLog();
    const during: GunicornEvent[] = events.slice(0, served);
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
      workerDeaths: during.filter(
        (e) => e.kind === "worker_signal" || (e.kind === "worker_exit_code" && e.code !== 0),
      ).length,
      events: [...events],
      logTail: gunicorn.stderrTail().split("\n").slice(-40).join("\n"),
    };
  } finally {
    await instance?.stop(2_000);
  }
}
