/**
 * One profiling run: boot gunicorn with gwarden's config (N workers, preload or not), wait for every
 * worker's post_worker_init, warm up every URL, read master and worker memory from smaps_rollup, stop.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { renderGunicornConf } from "../../core/conf/render.js";
import { pythonRuntime } from "../conf/python-runtime.js";
import { openWorkerStatsDir } from "../run/worker-stats.js";
import { GwardenError, isGwardenError } from "../../core/error.js";
import type { HookRecord } from "../../core/events/hook-record.js";
import { parseChildren } from "../../core/proc/children.js";
import { parseSmapsRollup } from "../../core/proc/smaps-rollup.js";
import type { ProfileRunSpec } from "../../core/profile/build-profile.js";
import { median } from "../../core/profile/build-profile.js";
import type { GunicornCommand } from "../../core/argv/gunicorn-argv.js";
import type { ProfileRunResult } from "../../core/profile/types.js";
import { freePort } from "../http/free-port.js";
import { startGunicorn, type GunicornProcess } from "../run/gunicorn-process.js";
import { probeMany, type ProbeResult } from "../http/http-probe.js";
import type { ProcessMemory } from "../../core/proc/smaps-rollup.js";
import { requestLabel, type RequestSpec } from "../../core/profile/request-spec.js";

export interface ProfileRunOptions {
  command: GunicornCommand;
  /** The user's config, absolute, to chain (or null). */
  userConfig: string | null;
  /** The warm-up requests (GETs of `--url` paths, or any method with headers and a body). */
  requests: RequestSpec[];
  cwd: string;
  env?: Record<string, string>;
  bootTimeoutMs: number;
  /** Warm-up rounds per URL (the warm-up stops after the first round with a failure). */
  rounds: number;
  /** Deadline of one warm-up request (default 15 s). */
  requestTimeoutMs?: number;
  /** Directory holding proc/ (default "/"). */
  root?: string;
  /** Called with the live process, so a signal handler can stop it. */
  onStart?: (process: GunicornProcess) => void;
  /** Wraps gunicorn's argv (to start it inside a memory cgroup). */
  wrap?: (argv: string[]) => string[];
  /** More measurements once every URL answered and memory was read (CPU timing, the exit spike). */
  measure?: (run: MeasureContext) => Promise<void>;
}

/** What `measure` gets: the live gunicorn after warm-up, its port and workers, and the result to fill. */
export interface MeasureContext {
  gunicorn: GunicornProcess;
  host: string;
  port: number;
  workerPids: number[];
  result: ProfileRunResult;
}

export interface ProfileRunOutcome {
  result: ProfileRunResult;
  /** Why the run failed (E_APP_IMPORT, E_BOOT, E_APP_URL), or null. */
  failure: GwardenError | null;
  version: string | null;
  workerClass: string | null;
  python: string | null;
}

const HOST = "127.0.0.1";

function readMemory(root: string, pid: number): ProcessMemory | null {
  try {
    return parseSmapsRollup(readFileSync(`${root}/proc/${pid}/smaps_rollup`, "utf8"));
  } catch {
    return null;
  }
}

function workerPids(root: string, master: number, records: readonly HookRecord[]): number[] {
  try {
    const pids = parseChildren(readFileSync(`${root}/proc/${master}/task/${master}/children`, "utf8"));
    if (pids.length > 0) return pids;
  } catch {
    // No children file (CONFIG_PROC_CHILDREN off): fall back to the ready records.
  }
  return [...new Set(records.filter((r) => r.hook === "post_worker_init").map((r) => r.pid))];
}

/** Fork (post_fork) to ready (post_worker_init) for each worker, seconds. */
export function bootSeconds(records: readonly HookRecord[]): number[] {
  const forks = new Map(records.filter((r) => r.hook === "post_fork").map((r) => [r.pid, r.time]));
  return records
    .filter((r) => r.hook === "post_worker_init" && forks.has(r.pid))
    .map((r) => Math.max(0, r.time - forks.get(r.pid)!));
}

function readyWorkers(records: readonly HookRecord[]): number {
  return new Set(records.filter((r) => r.hook === "post_worker_init").map((r) => r.pid)).size;
}

/** The gist of an error page: its HTML <title>, else its first non-empty line. */
function bodyGist(body: string): string | undefined {
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  return (title || body.split("\n").find((l) => l.trim() !== ""))?.trim().slice(0, 200);
}

function summarizeUrl(path: string, probes: ProbeResult[]): ProfileRunResult["urls"][number] {
  const bad = probes.find((p) => !p.ok);
  const ms = median(probes.map((p) => p.ms));
  const shown = bad ?? probes[probes.length - 1];
  const error = bad?.error ?? (bad ? bodyGist(bad.body) : undefined);
  return {
    path,
    status: shown?.status ?? null,
    ok: bad === undefined && probes.length > 0,
    ms: Math.round(ms * 10) / 10,
    ...(error ? { error } : {}),
  };
}

function urlFailure(url: ProfileRunResult["urls"][number], label: string): GwardenError {
  const answer = url.status === null ? `got no answer (${url.error ?? "unknown"})` : `answered ${url.status}`;
  return new GwardenError(
    "E_APP_URL",
    `${url.path.startsWith("/") ? `GET ${url.path}` : url.path} ${answer} (${label})${url.status !== null && url.error ? `: ${url.error}` : ""}`,
    {
      hint: "pass URLs that answer 2xx with --url (default /)",
      details: { url },
    },
  );
}

/** Runs one profiling mode; app failures come back in `failure`, a missing gunicorn throws. */
export async function runProfileMode(
  spec: ProfileRunSpec,
  options: ProfileRunOptions,
): Promise<ProfileRunOutcome> {
  const root = options.root ?? "";
  const label = `${spec.workers} worker${spec.workers === 1 ? "" : "s"}${spec.preload ? ", --preload" : ""}${spec.gcFreeze ? " + gc.freeze()" : ""}`;
  const port = await freePort(HOST);
  const conf = renderGunicornConf({
    settings: {
      bind: [`${HOST}:${port}`],
      workers: spec.workers,
      preload_app: spec.preload,
      // ≤ 21.x counts the import against `timeout`: never let it kill a slow but healthy import.
      timeout: Math.max(30, Math.ceil(options.bootTimeoutMs / 1000)),
      graceful_timeout: 5,
      loglevel: "info",
    },
    gcFreeze: spec.gcFreeze,
    userConfig: options.userConfig,
    comments: [`gwarden profile: ${label}`],
    guard: null,
    runtime: pythonRuntime(),
  });
  // Which workers answered the warm-up: their request counters (shared memory, read after the probes).
  const stats = spec.workers > 1 ? openWorkerStatsDir() : null;
  const args = [...options.command.args, ...(options.command.spec === null ? [] : [options.command.spec])];
  const result: ProfileRunResult = {
    mode: spec.mode,
    workers: spec.workers,
    ok: false,
    bootSeconds: [],
    masterImportSeconds: null,
    startSeconds: null,
    master: null,
    workerMemory: [],
    urls: [],
  };
  const outcome: ProfileRunOutcome = {
    result,
    failure: null,
    version: null,
    workerClass: null,
    python: null,
  };
  const gunicorn = await startGunicorn({
    launcher: options.wrap ? options.wrap(options.command.launcher) : options.command.launcher,
    args,
    conf,
    cwd: options.cwd,
    env: { ...options.env, ...stats?.env },
    label,
  }).catch((error: unknown) => {
    stats?.close();
    throw error;
  });
  options.onStart?.(gunicorn);
  try {
    await gunicorn.waitUntil(
      (records) => readyWorkers(records) >= spec.workers && records.some((r) => r.hook === "when_ready"),
      options.bootTimeoutMs,
    );
    const records = gunicorn.records;
    const starting = records.find((r) => r.hook === "on_starting");
    outcome.version = starting?.version ?? null;
    outcome.workerClass = records.find((r) => r.hook === "when_ready")?.workerClass ?? null;
    try {
      outcome.python = readlinkSync(`${root}/proc/${gunicorn.pid}/exe`).replace(/^.*\//, "");
    } catch {
      outcome.python = null;
    }
    result.startSeconds = starting
      ? Math.max(0, Math.round((starting.time - gunicorn.startedAt) * 1000) / 1000)
      : null;
    result.bootSeconds = bootSeconds(records).map((s) => Math.round(s * 1000) / 1000);

    const labels = options.requests.map(requestLabel);
    const probes = new Map<string, ProbeResult[]>(labels.map((u) => [u, []]));
    const timeoutMs = options.requestTimeoutMs ?? 15_000;
    for (let round = 0; round < options.rounds; round++) {
      for (const [i, request] of options.requests.entries()) {
        const sent = await probeMany(HOST, port, request.path, 2 * spec.workers, spec.workers, {
          timeoutMs,
          request,
        });
        probes.get(labels[i]!)!.push(...sent);
      }
      if ([...probes.values()].some((list) => list.some((p) => !p.ok))) break;
    }
    result.urls = labels.map((label) => summarizeUrl(label, probes.get(label)!));
    const pids = workerPids(root, gunicorn.pid, gunicorn.records);
    result.workersAnswering =
      stats === null ? null : [...stats.read(pids).values()].filter((s) => s.requests > 0).length;
    result.master = readMemory(root, gunicorn.pid);
    result.workerMemory = pids
      .map((pid) => readMemory(root, pid))
      .filter((m): m is ProcessMemory => m !== null);
    const badUrl = result.urls.find((u) => !u.ok);
    result.ok = badUrl === undefined;
    if (badUrl) {
      outcome.failure = urlFailure(badUrl, label);
      result.error = outcome.failure.message;
    } else await options.measure?.({ gunicorn, host: HOST, port, workerPids: pids, result });
  } catch (error) {
    if (!isGwardenError(error)) throw error;
    outcome.failure = error;
    result.error = error.message;
  } finally {
    await gunicorn.stop(5_000);
    stats?.close();
  }
  return outcome;
}
