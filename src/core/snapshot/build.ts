/**
 * Joins a sampler tick with what the lifecycle (hooks, logs) knows about each worker into the
 * `SupervisorSnapshot` the API, metrics and views serve. Pure.
 */
import type { EventKind } from "../events/types.js";
import type { Plan } from "../plan/types.js";
import { UNKNOWN_MEMORY } from "../sample/figures.js";
import type { Sample } from "../sample/sample.js";
import type { MasterSnapshot, SupervisorSnapshot, WorkerSnapshot, WorkerState } from "./snapshot.js";

/** What the lifecycle knows about one worker. */
export interface WorkerLife {
  state: WorkerState;
  bootedAt: string | null;
  readyAt: string | null;
  requests: number | null;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The master as the launcher knows it (its figures come from the sample). */
export type MasterLife = DistributiveOmit<MasterSnapshot, "memory" | "cpuSeconds" | "cpuPercent">;

export interface SnapshotInput {
  sample: Sample;
  master: MasterLife;
  /** Keyed by pid. */
  workers: ReadonlyMap<number, WorkerLife>;
  plan: Plan | null;
  eventsByKind: Partial<Record<EventKind, number>>;
  /** State of a worker seen in /proc that the lifecycle does not know yet (default `booting`). */
  unknownWorkerState?: WorkerState;
}

/** Joins a sample with the lifecycle into the snapshot the API, metrics and views serve. */
export function buildSnapshot(input: SnapshotInput): SupervisorSnapshot {
  const { sample } = input;
  const m = sample.master;
  const master: MasterSnapshot = {
    ...input.master,
    memory: m?.memory ?? UNKNOWN_MEMORY,
    cpuSeconds: m?.cpuSeconds ?? null,
    cpuPercent: m?.cpuPercent ?? null,
  };
  const workers: WorkerSnapshot[] = sample.workers.map((w) => {
    const life = input.workers.get(w.pid);
    const state = life?.state ?? (w.procState === "Z" ? "exiting" : (input.unknownWorkerState ?? "booting"));
    // A ready worker with a request in flight (its shared-memory counters say so) is busy.
    const busy = state === "ready" && (w.stats?.inFlight ?? 0) > 0;
    return {
      pid: w.pid,
      state: busy ? "busy" : state,
      bootedAt: life?.bootedAt ?? null,
      readyAt: life?.readyAt ?? null,
      memory: w.memory,
      cpuSeconds: w.cpuSeconds,
      cpuPercent: w.cpuPercent,
      requests: life?.requests ?? w.stats?.requests ?? null,
    };
  });
  return {
    schema: 1,
    time: sample.time,
    master,
    workers,
    cgroup: sample.cgroup,
    backlog: sample.backlog,
    plan: input.plan,
    eventsByKind: { ...input.eventsByKind },
    supervisor: {
      pid: sample.self.pid,
      memory: sample.self.memory,
      cpuSeconds: sample.self.cpuSeconds,
      cpuPercent: sample.self.cpuPercent,
      sampleMs: sample.durationMs,
    },
  };
}
