/**
 * What `/api/state` and `/metrics` show of adaptive control: plain JSON out of the controller's state.
 */
import { recycleBudget } from "./recycle.js";
import type { AdaptiveConfig, AdaptiveState, PressureLevel, RecycleReason } from "./types.js";

export interface AdaptiveView {
  enabled: boolean;
  /** The worker count gwarden wants. */
  targetWorkers: number;
  /** gunicorn's own count as last reported (or believed). */
  gunicornWorkers: number;
  minWorkers: number;
  baseWorkers: number;
  maxWorkers: number;
  pressure: PressureLevel;
  /** The private-memory budget in force (bytes). */
  recycleBytes: number;
  recycles: Record<RecycleReason, number>;
  /** The signal waiting to take effect, if any. */
  inFlight: "ttin" | "ttou" | "recycle" | null;
  /** Why a wanted scale-up is held, if one is. */
  held: AdaptiveState["held"];
  idleMultiplier: number;
}

/** The view of one controller state. */
export function adaptiveView(state: AdaptiveState, config: AdaptiveConfig, enabled = true): AdaptiveView {
  return {
    enabled,
    targetWorkers: state.target,
    gunicornWorkers: state.gunicornWorkers,
    minWorkers: config.minWorkers,
    baseWorkers: state.base,
    maxWorkers: config.maxWorkers,
    pressure: state.level,
    recycleBytes: recycleBudget(state, config),
    recycles: { ...state.recycles },
    inFlight: state.inFlight?.kind ?? null,
    held: state.held,
    idleMultiplier: state.idleMultiplier,
  };
}
