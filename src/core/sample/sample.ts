/**
 * What one sampler tick read from /proc and the cgroup. Pure data: the sampler adapter produces
 * `Sample`s; snapshot/build.ts joins them with the lifecycle.
 */
import { UNKNOWN_MEMORY, type BacklogFigures, type CgroupFigures, type MemoryFigures } from "./figures.js";
import type { WorkerStats } from "./worker-stats.js";

export interface ProcessSample {
  pid: number;
  /** The /proc state letter (`S`, `R`, `Z`, ...); null when stat was unreadable. */
  procState: string | null;
  /** Start time after boot in clock ticks: with the pid, identifies the process across samples. */
  startTimeTicks: number | null;
  memory: MemoryFigures;
  cpuSeconds: number | null;
  cpuPercent: number | null;
  /** A worker's shared-memory counters (requests, in flight, the guard's figures); absent without them. */
  stats?: WorkerStats | null;
}

export interface Sample {
  /** ISO 8601 wall-clock time of the sample. */
  time: string;
  /** Monotonic milliseconds when it was taken. */
  atMs: number;
  /** How long reading it took. */
  durationMs: number;
  /** null when the master is gone (no /proc/<pid>/stat). */
  master: ProcessSample | null;
  /** Children of the master, ordered by pid. */
  workers: ProcessSample[];
  cgroup: CgroupFigures | null;
  backlog: BacklogFigures | null;
  /** The supervisor process itself. */
  self: ProcessSample;
}

/** A process nothing could be read of (its stat was unreadable, or nothing was sampled yet). */
export function unknownProcess(pid: number): ProcessSample {
  return {
    pid,
    procState: null,
    startTimeTicks: null,
    memory: UNKNOWN_MEMORY,
    cpuSeconds: null,
    cpuPercent: null,
  };
}
