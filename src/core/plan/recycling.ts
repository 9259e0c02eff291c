/**
 * Recycling: max_requests as a leak safety net scaled to the import cost and the memory headroom
 * (baseline-lessons 5: a constant 1000 at 1000 req/s halved throughput), and recycleBytes, the
 * per-worker private budget `run` enforces by memory.
 */
import type { PlanReason } from "./types.js";
import {
  LOW_MEMORY_RECYCLE_GROWTH_FRACTION,
  MAX_REQUESTS_JITTER_FRACTION,
  MAX_REQUESTS_MAX,
  MAX_REQUESTS_MIN,
  PEAK_REQUESTS_PER_WORKER_SECOND,
  RECYCLE_GROWTH_FRACTION,
  RECYCLE_OVERHEAD_FACTOR,
} from "./defaults.js";
import { mib } from "./mib.js";

export interface RecyclePlan {
  maxRequests: number;
  maxRequestsJitter: number;
  recycleBytes: number;
  reasons: Record<"maxRequests" | "maxRequestsJitter" | "recycleBytes", PlanReason>;
}

/** A preloaded worker's replacement is a fork: charge it a tenth of a second instead of the import. */
const FORK_SECONDS = 0.1;

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
  const { importSeconds, preload, lowMemory, workers, perWorkerBytes, limitBytes, plannedBytes, marginBytes } = args;
  const restartSeconds = preload ? FORK_SECONDS : importSeconds;
  const base = PEAK_REQUESTS_PER_WORKER_SECOND * RECYCLE_OVERHEAD_FACTOR * Math.max(restartSeconds, FORK_SECONDS);
  // Headroom left for growth: free space above the plan plus half the margin, per worker.
  const growthRoom = Math.max(0, limitBytes - plannedBytes + marginBytes / 2) / Math.max(1, workers);
  const growthShare = lowMemory ? LOW_MEMORY_RECYCLE_GROWTH_FRACTION : RECYCLE_GROWTH_FRACTION;
  const allowedGrowth = Math.min(perWorkerBytes * growthShare, growthRoom);
  const headroomFactor = Math.min(1, Math.max(0.25, allowedGrowth / (perWorkerBytes * growthShare || 1)));
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
          (preload ? "is only a fork with preload" : "re-imports the app without preload") +
          ") costs under 1 % of a worker's time at a high request rate; gwarden run recycles by memory first, so this can stay large" +
          (lowMemory ? "; halved in low-memory mode" : ""),
        arithmetic: `${PEAK_REQUESTS_PER_WORKER_SECOND} req/s × ${RECYCLE_OVERHEAD_FACTOR} × ${restartSeconds} s restart × ${headroomFactor.toFixed(2)} headroom${lowMemory ? " × 0.5 low-memory" : ""} = ${Math.round(raw)} → clamp [${MAX_REQUESTS_MIN}, ${MAX_REQUESTS_MAX}], round to 1000 = ${maxRequests}`,
      },
      maxRequestsJitter: {
        value: String(maxRequestsJitter),
        reason: "spreads restarts so workers recycle one at a time (never all at once; with preload each exit briefly needs extra memory)",
        arithmetic: `${maxRequests} × ${MAX_REQUESTS_JITTER_FRACTION} = ${maxRequestsJitter}`,
      },
      recycleBytes: {
        value: `${mib(recycleBytes)} MiB`,
        reason: `gwarden run recycles a worker whose private memory passes this: its planned size plus the growth the limit can absorb (at most ${Math.round(growthShare * 100)} %)`,
        arithmetic: `${mib(perWorkerBytes)} + min(${mib(perWorkerBytes)} × ${growthShare}, (${mib(limitBytes)} − ${mib(plannedBytes)} + ${mib(marginBytes)} ÷ 2) ÷ ${workers}) = ${mib(recycleBytes)} MiB`,
      },
    },
  };
}
