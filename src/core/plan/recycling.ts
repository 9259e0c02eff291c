/**
 * Recycling: max_requests as a leak safety net scaled to the import cost and the memory headroom
 * (baseline-lessons 5: a constant 1000 at 1000 req/s halved throughput), and recycleBytes, the
 * per-worker private budget `run` enforces by memory.
 */
import type { PlanReason } from "./types.js";
import {
  LOW_MEMORY_RECYCLE_GROWTH_FRACTION,
  LOW_MEMORY_RECYCLE_MIN_GROWTH_BYTES,
  MAX_REQUESTS_JITTER_FRACTION,
  MAX_REQUESTS_MAX,
  MAX_REQUESTS_MIN,
  PEAK_REQUESTS_PER_WORKER_SECOND,
  RECYCLE_GROWTH_FRACTION,
  RECYCLE_MIN_GROWTH_BYTES,
  RECYCLE_OVERHEAD_FACTOR,
} from "./defaults.js";
import { mib } from "./mib.js";

export interface RecyclePlan {
  maxRequests: number;
  maxRequestsJitter: number;
  recycleBytes: number;
  reasons: Record<"maxRequests" | "maxRequestsJitter" | "recycleBytes", PlanReason>;
}

/** Floor of the restart cost, for apps that import in no time. */
const MIN_RESTART_SECONDS = 0.1;

/** max_requests, jitter and the memory-recycling threshold. */
export function planRecycling(args: {
  importSeconds: number;
  preload: boolean;
  lowMemory: boolean;
  workers: number;
  perWorkerBytes: number;
  limitBytes: number;
  plannedBytes: number;
  marginBytes: number;
}): RecyclePlan {
  const {
    importSeconds,
    preload,
    lowMemory,
    workers,
    perWorkerBytes,
    limitBytes,
    plannedBytes,
    marginBytes,
  } = args;
  // With preload the replacement is only a fork, but the exiting worker needs ~70 MiB more for a moment
  // (baseline-lessons 9): recycle no more often than without preload.
  const restartSeconds = Math.max(importSeconds, MIN_RESTART_SECONDS);
  const base = PEAK_REQUESTS_PER_WORKER_SECOND * RECYCLE_OVERHEAD_FACTOR * restartSeconds;
  // Headroom left for growth: free space above the plan plus half the margin, per worker.
  const growthRoom = Math.max(0, limitBytes - plannedBytes + marginBytes / 2) / Math.max(1, workers);
  const growthShare = lowMemory ? LOW_MEMORY_RECYCLE_GROWTH_FRACTION : RECYCLE_GROWTH_FRACTION;
  const minGrowth = lowMemory ? LOW_MEMORY_RECYCLE_MIN_GROWTH_BYTES : RECYCLE_MIN_GROWTH_BYTES;
  const wantedGrowth = Math.max(perWorkerBytes * growthShare, minGrowth);
  const allowedGrowth = Math.min(wantedGrowth, growthRoom);
  const headroomFactor = Math.min(1, Math.max(0.25, allowedGrowth / wantedGrowth));
  const lowFactor = lowMemory ? 0.5 : 1;
  const raw = base * headroomFactor * lowFactor;
  const maxRequests = Math.round(Math.min(MAX_REQUESTS_MAX, Math.max(MAX_REQUESTS_MIN, raw)) / 1000) * 1000;
  const maxRequestsJitter = Math.round(maxRequests * MAX_REQUESTS_JITTER_FRACTION);
  const recycleBytes = Math.round(perWorkerBytes + allowedGrowth);

  return {
    maxRequests,
    maxRequestsJitter,
    recycleBytes,
    reasons: {
      maxRequests: {
        value: String(maxRequests),
        reason:
          "a safety net against leaks, sized so a recycle (which " +
          (preload
            ? "with preload forks a cold worker while the old one briefly needs extra memory to exit"
            : "re-imports the app without preload") +
          ") costs under 1 % of a worker's time at a high request rate; gwarden run recycles by memory first, so this can stay large" +
          (lowMemory ? "; halved in low-memory mode" : ""),
        arithmetic: `${PEAK_REQUESTS_PER_WORKER_SECOND} req/s × ${RECYCLE_OVERHEAD_FACTOR} × ${restartSeconds} s restart × ${headroomFactor.toFixed(2)} headroom${lowMemory ? " × 0.5 low-memory" : ""} = ${Math.round(raw)} → clamp [${MAX_REQUESTS_MIN}, ${MAX_REQUESTS_MAX}], round to 1000 = ${maxRequests}`,
      },
      maxRequestsJitter: {
        value: String(maxRequestsJitter),
        reason:
          "spreads restarts so workers recycle one at a time (never all at once; with preload each exit briefly needs extra memory)",
        arithmetic: `${maxRequests} × ${MAX_REQUESTS_JITTER_FRACTION} = ${maxRequestsJitter}`,
      },
      recycleBytes: {
        value: `${mib(recycleBytes)} MiB`,
        reason: `gwarden run recycles a worker whose private memory passes this: its planned size plus the growth the limit can absorb (${Math.round(growthShare * 100)} % of it, at least ${mib(minGrowth)} MiB, when there is room)`,
        arithmetic: `${mib(perWorkerBytes)} + min(max(${mib(perWorkerBytes)} × ${growthShare}, ${mib(minGrowth)}), (${mib(limitBytes)} − ${mib(plannedBytes)} + ${mib(marginBytes)} ÷ 2) ÷ ${workers}) = ${mib(recycleBytes)} MiB`,
      },
    },
  };
}
