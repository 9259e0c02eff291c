/**
 * The planner: resources + profile + policy → a gunicorn configuration with a reason for every number.
 * Pure: no I/O, no clock. The rules live in app-costs, memory-budget, workers, timeouts, recycling and
 * database; this file puts them together and words the warnings.
 */
import type { Plan, PlanInput, PlanReason } from "./types.js";
import { appCosts } from "./app-costs.js";
import { chooseLayout, workerBounds, type WorkerPolicy } from "./workers.js";
import type { BudgetContext } from "./memory-budget.js";
import { planTimeouts } from "./timeouts.js";
import { planRecycling } from "./recycling.js";
import { databaseReasons, layoutReasons, memoryReasons } from "./layout-reasons.js";
import { findConflicts } from "./conflicts.js";
import { planBacklog } from "./backlog.js";
import { GTHREAD_KEEPALIVE_SECONDS, KEEPALIVE_SECONDS } from "./defaults.js";
import { chooseHeartbeatDir } from "./heartbeat.js";
import { mib } from "./mib.js";

/** Plans gunicorn for one box and one app. Always returns a runnable plan (≥ 1 worker), with warnings. */
export function planGunicorn(input: PlanInput): Plan {
  const { resources, profile, policy } = input;
  const limitBytes = resources.memoryBytes;
  const costs = appCosts(profile);
  const workerPolicy: WorkerPolicy = {
    cpus: resources.cpus,
    cpuShare: costs.cpuShare,
    lowMemory: policy.lowMemory,
    ...threadsPolicy(input),
  };
  const ctx: BudgetContext = {
    limitBytes,
    lowMemory: policy.lowMemory,
    dbOnBox: policy.dbOnBox,
    supervisorBytes: policy.supervisorInGroup ? policy.supervisorBytes : 0,
    postgresMaxConnections: policy.postgresMaxConnections,
    postgresReservedConnections: policy.postgresReservedConnections,
  };
  const layout = chooseLayout(costs, workerPolicy, ctx);
  const bounds = workerBounds(layout, workerPolicy);
  const workerClass = layout.threads > 1 ? "gthread" : "sync";
  const times = planTimeouts({
    importSeconds: costs.importSeconds,
    cpus: resources.cpus,
    workers: layout.workers,
    workerClass,
    preload: layout.mode.preload,
    gunicornVersion: policy.gunicornVersion,
  });
  const b = layout.budget;
  const recycle = planRecycling({
    importSeconds: costs.importSeconds,
    preload: layout.mode.preload,
    lowMemory: policy.lowMemory,
    workers: layout.workers,
    perWorkerBytes: b.perWorkerBytes,
    limitBytes,
    plannedBytes: b.plannedBytes,
    marginBytes: b.marginBytes,
  });
  const backlog = planBacklog(layout.workers * layout.threads);
  const heartbeat = chooseHeartbeatDir(resources.heartbeatDirs);
  const workerTmpDir = heartbeat.dir;
  const pgMax = b.postgres?.maxConnections ?? policy.postgresMaxConnections;
  const supervisorNote = policy.supervisorInGroup
    ? `gwarden run shares the app's cgroup, so its own charge is counted — ${policy.supervisorSource}`
    : "gwarden runs outside the app's cgroup (--supervisor-outside): not counted";

  const reasons: Record<string, PlanReason> = {
    ...layoutReasons(layout, costs, workerPolicy, bounds),
    ...memoryReasons(layout, costs, limitBytes, resources.memorySource, supervisorNote, policy.lowMemory),
    ...times.reasons,
    ...recycle.reasons,
    ...databaseReasons(layout, policy.postgresMaxConnections, policy.postgresReservedConnections),
    workerTmpDir: heartbeat.reason,
    backlog: backlog.reason,
    keepalive:
      workerClass === "gthread"
        ? {
            value: `${GTHREAD_KEEPALIVE_SECONDS} s`,
            reason:
              "close after each response: a gthread worker that retires (reload, max_requests, recycling by memory) drops requests already sent on its idle keep-alive connections; a reverse proxy in front keeps client connections alive",
          }
        : {
            value: `${KEEPALIVE_SECONDS} s`,
            reason: "gunicorn's default; sync workers close after each response anyway",
          },
  };

  const warnings = [...resources.warnings, ...planWarnings(input, layout, costs.source, limitBytes)];
  const base: Omit<Plan, "conflicts"> = {
    schema: 1,
    workers: layout.workers,
    minWorkers: bounds.min,
    maxWorkers: bounds.max,
    threads: layout.threads,
    workerClass,
    timeout: times.timeout,
    gracefulTimeout: times.gracefulTimeout,
    bootDeadline: times.bootDeadline,
    maxRequests: recycle.maxRequests,
    maxRequestsJitter: recycle.maxRequestsJitter,
    preload: layout.mode.preload,
    gcFreeze: layout.mode.preload,
    workerTmpDir,
    backlog: backlog.value,
    keepalive: workerClass === "gthread" ? GTHREAD_KEEPALIVE_SECONDS : KEEPALIVE_SECONDS,
    recycleBytes: recycle.recycleBytes,
    memory: {
      limitBytes,
      supervisorBytes: b.supervisorBytes,
      masterBytes: b.masterBytes,
      perWorkerBytes: b.perWorkerBytes,
      sharedBytes: b.sharedBytes,
      databaseBytes: b.databaseBytes,
      marginBytes: b.marginBytes,
      transientBytes: b.transientBytes,
      plannedBytes: b.plannedBytes,
      overLimit: layout.overLimit,
    },
    database: {
      poolSize: b.pool.poolSize,
      maxOverflow: b.pool.maxOverflow,
      totalConnections: b.pool.totalConnections,
      postgresMaxConnections: pgMax,
      postgres: b.postgres,
    },
    inputs: {
      memoryBytes: limitBytes,
      memorySource: resources.memorySource,
      cpus: resources.cpus,
      cpuSource: resources.cpuSource,
      profile: costs.source,
      lowMemory: policy.lowMemory,
      dbOnBox: policy.dbOnBox,
      gunicornVersion: policy.gunicornVersion,
    },
    reasons,
    warnings,
  };
  const conflicts = findConflicts(policy.appArgv, base);
  return { ...base, conflicts };
}

/**
 * Threads are off with --no-threads, and when the profile found preload unsafe: that almost always means
 * state opened at import (one DB connection, SimpleLogin's app/db.py) that threads would share as well.
 */
function threadsPolicy({ policy, profile }: PlanInput): { allowThreads: boolean; noThreadsReason: string } {
  if (!policy.allowThreads)
    return {
      allowThreads: false,
      noThreadsReason: "threads disabled (--no-threads): the app is not known to be thread-safe",
    };
  if (profile !== null && !profile.preload.safe) {
    return {
      allowThreads: false,
      noThreadsReason: `sync only: the profile found preload unsafe (${profile.preload.reason}), which usually means state opened at import, such as one DB connection, that threads would share too`,
    };
  }
  return { allowThreads: true, noThreadsReason: "" };
}

function planWarnings(
  input: PlanInput,
  layout: ReturnType<typeof chooseLayout>,
  source: "measured" | "default",
  limitBytes: number,
): string[] {
  const { resources, policy } = input;
  const w: string[] = [];
  if (source === "default") {
    w.push(
      "No profile: sized for a SimpleLogin-sized app (115 MiB private per worker, 4 s import, 30 MiB master). Run `gwarden profile -- <app>` to plan on measurements.",
    );
  }
  if (layout.overLimit) {
    const one = layout.budget.plannedBytes;
    const fixes = [
      `raise the memory limit to at least ${Math.ceil(one / (1024 * 1024))} MiB`,
      policy.supervisorInGroup ? "run gwarden outside the app's cgroup (--supervisor-outside)" : null,
      policy.dbOnBox ? "move PostgreSQL off this box" : null,
      layout.mode.preload
        ? null
        : "profile the app and make preload safe (create DB connections after fork) so workers share the app",
      "reduce the app's import-time memory",
    ].filter((x): x is string => x !== null);
    w.push(
      `The app does not fit: even 1 worker needs ${mib(one)} MiB against a ${mib(limitBytes)} MiB limit. Planned 1 worker${layout.threads > 1 ? ` with ${layout.threads} threads` : ""}, which will be OOM-killed under load. To fix: ${fixes.join("; ")}.`,
    );
  }
  if (layout.mode.preload) {
    w.push(
      "Preload: the master holds the whole app and is the largest process in the group, so the OOM killer picks it first and the service dies with it; gwarden run raises the workers' oom_score_adj so the kernel picks a worker first, and lowers the master's where it may (that needs CAP_SYS_RESOURCE; without it the master is raised to 500 so that gwarden outlives it; run says which it did). Under plain gunicorn, set that yourself. Workers are recycled one at a time (each exit briefly needs extra memory).",
    );
  }
  if (layout.threads > 1) {
    w.push(
      `gthread with ${layout.threads} threads assumes the app is thread-safe: a DB connection or session opened at import and shared by all threads (SimpleLogin's app/db.py) breaks it. Plan with --no-threads if so.`,
    );
  }
  const heartbeat = chooseHeartbeatDir(resources.heartbeatDirs).warning;
  if (heartbeat !== null) w.push(heartbeat);
  if (resources.swapBytes === 0 && limitBytes < 1024 * 1024 * 1024) {
    w.push(
      "No swap on a box under 1 GiB: any spike past the limit is an OOM kill. Keep the margin, or add a small swap file.",
    );
  }
  if (policy.lowMemory)
    w.push(
      "Low-memory mode: survival over throughput (bigger margin, fewer processes, threads, shorter recycling).",
    );
  return w;
}
