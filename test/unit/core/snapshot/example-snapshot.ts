import type { SupervisorSnapshot, WorkerSnapshot } from "../../../../src/core/snapshot/snapshot.js";
import type { Plan } from "../../../../src/core/plan/types.js";

const MiB = 1024 * 1024;

/** A worker with plausible figures. */
export function worker(
  pid: number,
  state: WorkerSnapshot["state"],
  over: Partial<WorkerSnapshot> = {},
): WorkerSnapshot {
  return {
    pid,
    state,
    bootedAt: "2026-11-27T04:00:00.000Z",
    readyAt: state === "booting" ? null : "2026-11-27T04:00:01.500Z",
    memory: { rss: 40 * MiB, pss: 22 * MiB, uss: 18 * MiB, swap: 0, anon: 17 * MiB },
    cpuSeconds: 1.25,
    cpuPercent: 3.5,
    requests: 12,
    ...over,
  };
}

/** Only the plan fields the metrics read, the rest cast (the planner owns real plans). */
export const plan = {
  schema: 1,
  workers: 3,
  minWorkers: 1,
  maxWorkers: 4,
  threads: 1,
  workerClass: "sync",
  timeout: 30,
  gracefulTimeout: 20,
  bootDeadline: 45,
  maxRequests: 1000,
  maxRequestsJitter: 50,
  preload: false,
  gcFreeze: false,
  workerTmpDir: "/dev/shm",
  backlog: 64,
  keepalive: 2,
  recycleBytes: 120 * MiB,
  memory: {
    limitBytes: 512 * MiB,
    supervisorBytes: 30 * MiB,
    masterBytes: 30 * MiB,
    perWorkerBytes: 60 * MiB,
    sharedBytes: 0,
    databaseBytes: 0,
    marginBytes: 50 * MiB,
    plannedBytes: 290 * MiB,
  },
} as unknown as Plan;

/** A running master with two workers, a 512 MiB cgroup and a backlog of 3. */
export function snapshot(over: Partial<SupervisorSnapshot> = {}): SupervisorSnapshot {
  return {
    schema: 1,
    time: "2026-11-27T04:00:05.000Z",
    master: {
      state: "running",
      pid: 100,
      startedAt: "2026-11-27T03:59:59.000Z",
      memory: { rss: 30 * MiB, pss: 12 * MiB, uss: 10 * MiB, swap: 0, anon: 9 * MiB },
      cpuSeconds: 0.5,
      cpuPercent: 0.2,
    },
    workers: [worker(101, "ready"), worker(102, "busy")],
    cgroup: {
      limitBytes: 512 * MiB,
      usageBytes: 200 * MiB,
      workingSetBytes: 150 * MiB,
      swapUsageBytes: null,
      memoryPressure: {
        some: { avg10: 1.5, avg60: 0.5, avg300: 0.1, total: 2_500_000 },
        full: { avg10: 0.25, avg60: 0, avg300: 0, total: 1_000_000 },
      },
      oomKills: 1,
    },
    backlog: { queued: 3, max: 64, listeners: 1 },
    plan,
    eventsByKind: { worker_boot: 2, worker_ready: 2 },
    supervisor: {
      pid: 99,
      memory: { rss: 45 * MiB, pss: 30 * MiB, uss: 20 * MiB, swap: 0, anon: 15 * MiB },
      cpuSeconds: 0.75,
      cpuPercent: 0.4,
      sampleMs: 1.5,
    },
    ...over,
  };
}
