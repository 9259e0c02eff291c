/**
 * The supervisor's one picture of the world at a moment: master, workers, cgroup, listen backlog, plan,
 * event counts and the supervisor's own cost. Plain JSON data (no Date, Map or undefined-as-meaning):
 * `/api/state` serves it as is, `/metrics` renders it, the terminal monitor and the web dashboard draw it.
 */
import type { EventKind } from "../events/types.js";
import type { Plan } from "../plan/types.js";
import type { BacklogFigures, CgroupFigures, MemoryFigures } from "../sample/figures.js";
import type { AdaptiveView } from "../adaptive/view.js";

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

/** Worker counts per state, every state present (0 when none). */
export function countWorkers(workers: readonly WorkerSnapshot[]): Record<WorkerState, number> {
  const counts: Record<WorkerState, number> = { booting: 0, ready: 0, busy: 0, exiting: 0 };
  for (const worker of workers) counts[worker.state]++;
  return counts;
}
