/**
 * Recycling by memory (gunicorn has no reload-on-RSS): a ready worker whose private memory (USS) passes
 * the budget gets a graceful SIGTERM — it finishes its request, the master forks a fresh one. One at a
 * time, the largest first, never while another signal is in flight (combine.ts). Without an explicit
 * budget the budget never sits below what a fresh worker measures plus its growth floor: a budget a new
 * worker already passes would recycle in a loop (a plan made without a profile underestimates big apps).
 */
import type { AdaptiveConfig, AdaptiveInput, AdaptiveState, WorkerView } from "./types.js";

/** How many fresh-worker sizes are remembered (the median is used). */
const FRESH_KEEP = 8;
/** How many measured pids are remembered (to note each worker's first size once). */
const MEASURED_KEEP = 128;

/** Notes the first private memory of each newly ready worker: what a fresh worker costs. */
export function noteFreshWorkers(state: AdaptiveState, input: AdaptiveInput): AdaptiveState {
  const fresh = input.workers.filter((w) => w.ready && w.uss !== null && !state.measured.includes(w.pid));
  if (fresh.length === 0) return state;
  return {
    ...state,
    freshUss: [...state.freshUss, ...fresh.map((w) => w.uss as number)].slice(-FRESH_KEEP),
    measured: [...state.measured, ...fresh.map((w) => w.pid)].slice(-MEASURED_KEEP),
  };
}

/** Median of a non-empty list, else null. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A fresh worker's size plus the growth it is allowed before it counts as bloated; null before any is measured. */
export function bloatThreshold(state: AdaptiveState, config: AdaptiveConfig): number | null {
  const fresh = median(state.freshUss);
  if (fresh === null) return null;
  return fresh + Math.max(config.recycle.growthFloorBytes, fresh * config.recycle.growthFloorShare);
}

/** The private-memory budget in force: the configured one, raised to the bloat threshold unless explicit. */
export function recycleBudget(state: AdaptiveState, config: AdaptiveConfig): number {
  const floor = config.recycle.explicit ? null : bloatThreshold(state, config);
  return floor === null ? config.recycle.budgetBytes : Math.max(config.recycle.budgetBytes, floor);
}

/** The largest ready worker whose private memory is above `bytes`, or null. */
export function largestAbove(workers: readonly WorkerView[], bytes: number): WorkerView | null {
  let best: WorkerView | null = null;
  for (const w of workers) {
    if (!w.ready || w.uss === null || w.uss <= bytes) continue;
    if (best === null || w.uss > (best.uss ?? 0)) best = w;
  }
  return best;
}

/** The worker over the memory budget to recycle now, or null. */
export function overBudget(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
): { worker: WorkerView; budget: number } | null {
  const budget = recycleBudget(state, config);
  const worker = largestAbove(input.workers, budget);
  return worker === null ? null : { worker, budget };
}

/** Under pressure: the largest worker grown past a fresh one's size plus its growth floor, or null. */
export function bloated(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
): { worker: WorkerView; threshold: number } | null {
  const threshold = bloatThreshold(state, config);
  if (threshold === null) return null;
  const worker = largestAbove(input.workers, threshold);
  return worker === null ? null : { worker, threshold };
}
