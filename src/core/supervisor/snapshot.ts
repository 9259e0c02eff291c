/**
 * The supervisor's one picture of the world at a moment: master, workers, cgroup, listen backlog, plan,
 * event counts and the supervisor's own cost. Plain JSON data (no Date, Map or undefined-as-meaning):
 * `/api/state` serves it as is, `/metrics` renders it, the terminal monitor and the web dashboard draw it.
 */
import type { EventKind } from "../events/types.js";
import type { Plan } from "../plan/types.js";
import type { Pressure, Resources } from "../resources/types.js";
import type { AdaptiveView } from "../adaptive/view.js";

/** Memory of one process in bytes, from smaps_rollup; null when it could not be read. */
export interface MemoryFigures {
  rss: number | null;
  /** Proportional set size: shared pages divided among sharers; sums to the container total. */
  pss: number | null;
  /** Unique set size (Private_Clean + Private_Dirty): what killing the process frees. */
  uss: number | null;
  swap: number | null;
  /** Private_Dirty + Swap: anonymous memory nobody else shares (Passenger's "real memory"). */
  anon: number | null;
}

export type WorkerState = "booting" | "ready" | "busy" | "exiting";

export const WORKER_STATES: readonly WorkerState[] = ["booting", "ready", "busy", "exiting"];

export interface WorkerSnapshot {
  pid: number;
  state: WorkerState;
  /** ISO 8601: fork seen (hook `post_fork`, log "Booting worker", or first seen in /proc). */
  bootedAt: string | null;
  /** ISO 8601: `post_worker_init` ran. */
  readyAt: string | null;
  memory: MemoryFigures;
  /** Cumulative user + system CPU seconds. */
  cpuSeconds: number | null;
  /** Percent of one core over the last sample interval. */
  cpuPercent: number | null;
  /** Requests handled, when hooks report them. */
  requests: number | null;
}

interface MasterCommon {
  pid: number | null;
  /** ISO 8601. */
  startedAt: string | null;
  memory: MemoryFigures;
  cpuSeconds: number | null;
  cpuPercent: number | null;
}

export type MasterSnapshot =
  | (MasterCommon & { state: "starting" })
  | (MasterCommon & { state: "running"; pid: number })
  | (MasterCommon & { state: "stopping" })
  | (MasterCommon & { state: "down"; reason: string; exitCode: number | null });

/** The cgroup figures the live views need (a subset of `Resources`, re-read every sample). */
export interface CgroupFigures {
  limitBytes: number | null;
  usageBytes: number | null;
  workingSetBytes: number | null;
  swapUsageBytes: number | null;
  memoryPressure: Pressure | null;
  oomKills: number | null;
  /** Where memoryPressure was read: the group's own memory.pressure, or host-wide /proc/pressure/memory. */
  memoryPressureScope?: "cgroup" | "host" | null;
  /** cgroup v2 memory.events `high` / `max` counters (null on v1); adaptive control reads their growth. */
  highEvents?: number | null;
  maxEvents?: number | null;
}

export interface BacklogFigures {
  /** Connections waiting for accept() on the listening sockets. */
  queued: number | null;
  /** The backlog limit (kernel-reported, else min(planned backlog, somaxconn)). */
  max: number | null;
  listeners: number;
}

export interface SupervisorCost {
  pid: number;
  memory: MemoryFigures;
  cpuSeconds: number | null;
  cpuPercent: number | null;
  /** How long the last sample took to read, in milliseconds. */
  sampleMs: number | null;
}

export interface SupervisorSnapshot {
  schema: 1;
  /** ISO 8601 time of the sample this snapshot is built on. */
  time: string;
  master: MasterSnapshot;
  /** Ordered by pid. */
  workers: WorkerSnapshot[];
  cgroup: CgroupFigures | null;
  backlog: BacklogFigures | null;
  plan: Plan | null;
  eventsByKind: Partial<Record<EventKind, number>>;
  supervisor: SupervisorCost;
  /** Adaptive control (`run --adaptive`): target, pressure level, recycles; absent or null when off. */
  adaptive?: AdaptiveView | null;
}

/** Memory figures that are all unknown. */
export const UNKNOWN_MEMORY: MemoryFigures = { rss: null, pss: null, uss: null, swap: null, anon: null };

/** Worker counts per state, every state present (0 when none). */
export function countWorkers(workers: readonly WorkerSnapshot[]): Record<WorkerState, number> {
  const counts: Record<WorkerState, number> = { booting: 0, ready: 0, busy: 0, exiting: 0 };
  for (const worker of workers) counts[worker.state]++;
  return counts;
}

/** The live cgroup figures out of a full `Resources` reading. */
export function cgroupFigures(resources: Resources): CgroupFigures {
  return {
    limitBytes: resources.memory.limitBytes,
    usageBytes: resources.memory.usageBytes,
    workingSetBytes: resources.memory.workingSetBytes,
    swapUsageBytes: resources.swap.usageBytes,
    memoryPressure: resources.pressure.memory,
    oomKills: resources.oom.kills,
    memoryPressureScope: pressureScope(resources.sources["pressure.memory"]?.source),
    highEvents: resources.oom.highEvents,
    maxEvents: resources.oom.maxEvents,
  };
}

function pressureScope(source: string | undefined): "cgroup" | "host" | null {
  return source === "cgroup-v2" ? "cgroup" : source === "host" ? "host" : null;
}
