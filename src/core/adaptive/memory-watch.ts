/**
 * When adaptive control needs every worker's private memory at every tick. smaps_rollup costs ~0.7 ms
 * of CPU per process, so reading it each second for every worker is what pushed the supervisor past 1 %
 * of a core; the sampler's default refresh (every 5 s) is enough while memory is far from every
 * threshold. Close to one — the group's working set past `FRESH_MEMORY_RATIO` of the limit, a pressure
 * level above normal, a recycle in flight, or a worker past `FRESH_BUDGET_SHARE` of the recycle
 * budget — the policies act on fresh figures.
 */
import { recycleBudget } from "./recycle.js";
import type { AdaptiveConfig, AdaptiveInput, AdaptiveState } from "./types.js";

/** Working set ÷ limit from which memory is read every tick (the first pressure level starts at 0.80). */
export const FRESH_MEMORY_RATIO = 0.6;
/** A worker's USS ÷ recycle budget from which memory is read every tick. */
export const FRESH_BUDGET_SHARE = 0.75;

/** True when the next ticks should read every worker's smaps_rollup. */
export function needsFreshMemory(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
): boolean {
  if (state.level !== "normal" || state.inFlight !== null) return true;
  const { limitBytes, workingSetBytes } = input;
  if (limitBytes !== null && workingSetBytes !== null && workingSetBytes >= FRESH_MEMORY_RATIO * limitBytes)
    return true;
  const budget = recycleBudget(state, config);
  return input.workers.some((w) => w.uss !== null && w.uss >= FRESH_BUDGET_SHARE * budget);
}
