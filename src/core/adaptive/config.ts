/**
 * The adaptive controller's configuration: derived from the plan (bounds, worker class, limit, recycle
 * budget) with the documented defaults below (docs/adaptive.md), and the few overrides `run` accepts.
 */
import type { Plan } from "../plan/types.js";
import type { AdaptiveConfig, AdaptiveState, LoadConfig, PressureConfig } from "./types.js";

const MiB = 1048576;

/** Working-set ratios and PSI thresholds of the pressure levels, and their timing. */
export const DEFAULT_PRESSURE: PressureConfig = {
  elevatedRatio: 0.8,
  highRatio: 0.88,
  criticalRatio: 0.93,
  hysteresisRatio: 0.05,
  psiSomeElevated: 10,
  psiFullHigh: 10,
  psiFullCritical: 40,
  swapGrowthBytes: 16 * MiB,
  dropAfterMs: 5_000,
  restoreAfterMs: 20_000,
  stepCooldownMs: 2_000,
  escalateWithinMs: 10_000,
};

/** Load scaling: 2 s overloaded to add, 10 s idle (× the anti-flap multiplier) to give back. */
export const DEFAULT_LOAD: LoadConfig = {
  overloadMs: 2_000,
  idleMs: 10_000,
  cpuSaturatedShare: 0.9,
  flapWindowMs: 30_000,
  penalty: 1,
  maxMultiplier: 6,
};

/** Without an explicit budget, recycling starts no lower than a fresh worker + max(32 MiB, 25 %). */
export const DEFAULT_RECYCLE_GROWTH_FLOOR_BYTES = 32 * MiB;
export const DEFAULT_RECYCLE_GROWTH_FLOOR_SHARE = 0.25;
/** Extra seconds on top of graceful timeout + boot deadline before a signal's effect is given up on. */
const IN_FLIGHT_SLACK_MS = 5_000;

export interface AdaptiveOverrides {
  /** `--recycle-at`: private memory above which a worker is recycled. */
  recycleBytes?: number;
  pressure?: Partial<PressureConfig>;
  load?: Partial<LoadConfig>;
}

/** The controller's configuration for one plan. */
export function adaptiveConfigFromPlan(plan: Plan, overrides: AdaptiveOverrides = {}): AdaptiveConfig {
  const minWorkers = Math.max(1, Math.min(plan.minWorkers, plan.workers));
  const maxWorkers = Math.max(plan.workers, plan.maxWorkers);
  return {
    baseWorkers: plan.workers,
    minWorkers,
    maxWorkers,
    workerClass: plan.workerClass,
    threads: Math.max(1, plan.threads),
    cpus: plan.inputs.cpus,
    limitBytes: plan.memory.limitBytes,
    perWorkerBytes: plan.memory.perWorkerBytes,
    inFlightTimeoutMs: (plan.gracefulTimeout + plan.bootDeadline) * 1000 + IN_FLIGHT_SLACK_MS,
    pressure: { ...DEFAULT_PRESSURE, ...overrides.pressure },
    load: { ...DEFAULT_LOAD, ...overrides.load },
    recycle: {
      budgetBytes: overrides.recycleBytes ?? plan.recycleBytes,
      explicit: overrides.recycleBytes !== undefined,
      growthFloorBytes: DEFAULT_RECYCLE_GROWTH_FLOOR_BYTES,
      growthFloorShare: DEFAULT_RECYCLE_GROWTH_FLOOR_SHARE,
    },
  };
}

/** The state before the first tick: gunicorn runs the plan's count. */
export function initialAdaptiveState(config: AdaptiveConfig): AdaptiveState {
  return {
    target: config.baseWorkers,
    base: config.baseWorkers,
    countSeen: false,
    external: null,
    gunicornWorkers: config.baseWorkers,
    reloads: 0,
    level: "normal",
    lowerSinceMs: null,
    calmSinceMs: null,
    lastStepAtMs: null,
    lastStep: null,
    previousSwapBytes: null,
    previousHighEvents: null,
    previousMaxEvents: null,
    overloadSinceMs: null,
    idleSinceMs: null,
    idleMultiplier: 1,
    lastScaleUpAtMs: null,
    lastScaleDownAtMs: null,
    inFlight: null,
    held: null,
    freshUss: [],
    measured: [],
    recycles: { memory: 0, pressure: 0 },
  };
}
