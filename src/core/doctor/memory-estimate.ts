/**
 * About how much memory `workers` workers need, from the profile's measurements. PSS divides each
 * shared page among the processes that map it, so the PSS of a measured run's processes adds up to
 * what that run occupied, shared pages counted once; each worker more (or fewer) adds (or frees) its
 * USS, the pages no other process maps. Adding the master's RSS, the workers' shared part and N × USS
 * instead counts the pages the master shares with the workers twice: 273 MiB for two workers of an
 * app whose lab peak was 243 MiB. Still an estimate ("about"): the first worker's private file pages
 * become shared once a second worker maps them, and page cache comes on top.
 */
import type { ProcessMemory } from "../proc/smaps-rollup.js";
import type { Profile } from "../profile/types.js";
import {
  DEFAULT_MASTER_BYTES,
  DEFAULT_SHARED_BYTES,
  DEFAULT_WORKER_PRIVATE_BYTES,
} from "../plan/defaults.js";
import { mib } from "../plan/mib.js";

export interface MemoryEstimate {
  bytes: number;
  /** The sum as people check it, in MiB. */
  arithmetic: string;
}

/** A measured run: the master and k workers, each with PSS and USS. */
interface Measured {
  master: ProcessMemory;
  workers: ProcessMemory[];
  what: string;
}

function measured(profile: Profile, preload: boolean): Measured | null {
  if (!preload) return { master: profile.master, workers: [profile.worker], what: "1-worker run" };
  const run = profile.runs.find((r) => r.mode === "preload-shared" && r.ok);
  if (!run?.master || run.workerMemory.length === 0) return null;
  return { master: run.master, workers: run.workerMemory, what: `${run.workers}-worker preload run` };
}

function fromRun(run: Measured, workers: number): MemoryEstimate {
  const k = run.workers.length;
  const pss = run.workers.reduce((sum, w) => sum + w.pss, 0);
  const uss = run.workers.reduce((sum, w) => sum + w.uss, 0) / k;
  const bytes = run.master.pss + pss + (workers - k) * uss;
  const extra = workers === k ? "" : ` ${workers > k ? "+" : "−"} ${Math.abs(workers - k)} × ${mib(uss)} USS`;
  return {
    bytes,
    arithmetic: `${mib(run.master.pss)} master PSS + ${k === 1 ? "" : `${k} × `}${mib(pss / k)} worker PSS (the profile's ${run.what})${extra} = about ${mib(bytes)} MiB`,
  };
}

/** The estimate for `workers` workers, with or without preload. */
export function estimateMemory(profile: Profile | null, workers: number, preload: boolean): MemoryEstimate {
  const run = profile === null ? null : measured(profile, preload);
  if (run) return fromRun(run, workers);
  if (profile !== null && preload && profile.preload.master && profile.preload.workerPrivateBytes !== null) {
    const bytes = profile.preload.master.rss + workers * profile.preload.workerPrivateBytes;
    return {
      bytes,
      arithmetic: `${mib(profile.preload.master.rss)} master RSS + ${workers} × ${mib(profile.preload.workerPrivateBytes)} private per worker (profile) = about ${mib(bytes)} MiB`,
    };
  }
  const bytes = DEFAULT_MASTER_BYTES + DEFAULT_SHARED_BYTES + workers * DEFAULT_WORKER_PRIVATE_BYTES;
  return {
    bytes,
    arithmetic: `${mib(DEFAULT_MASTER_BYTES)} master + ${mib(DEFAULT_SHARED_BYTES)} shared + ${workers} × ${mib(DEFAULT_WORKER_PRIVATE_BYTES)} per worker (default for a SimpleLogin-sized app) = about ${mib(bytes)} MiB`,
  };
}
