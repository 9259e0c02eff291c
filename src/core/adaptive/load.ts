/**
 * Load: overloaded when connections wait in the listen backlog (sync workers: uWSGI's `backlog`) or
 * every request slot is busy (the hook channel's busy counts: the only signal for gthread, whose kernel
 * queue stays near zero); idle when nothing waits and at least two workers' worth of slots are free
 * (uWSGI `spare`: exactly one spare worker is stable). Overloaded for `overloadMs` → one more worker,
 * unless gunicorn already uses the CPUs (≥ `cpuSaturatedShare` of them): then requests wait for the
 * CPU, not for a worker, and one more process would only cost memory and throughput;
 * idle for `idleMs` × the anti-flap multiplier → one fewer, down to the plan's count. A scale-up soon
 * after a scale-down raises the multiplier (uWSGI busyness' penalty); a calm scale-down lowers it.
 */
import type { AdaptiveConfig, AdaptiveInput, AdaptiveState } from "./types.js";

export type LoadVerdict =
  { kind: "up"; reason: string } | { kind: "down"; reason: string } | { kind: "steady" };

export interface Slots {
  /** Busy request slots over all workers, null when the hook channel says nothing. */
  busy: number | null;
  total: number;
}

/** Busy and total request slots of the live workers. */
export function slotsOf(input: AdaptiveInput, config: AdaptiveConfig): Slots {
  const known = input.workers.filter((w) => w.busy !== null);
  const busy = known.length === 0 ? null : known.reduce((sum, w) => sum + (w.busy ?? 0), 0);
  return { busy, total: input.workers.filter((w) => w.ready).length * config.threads };
}

/** Advances the overload/idle clocks and says whether load asks for one worker more or less. */
export function readLoad(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
): { verdict: LoadVerdict; state: AdaptiveState } {
  const { busy, total } = slotsOf(input, config);
  const queued = input.backlogQueued;
  const booting = input.workers.filter((w) => w.ready).length < Math.min(state.target, state.gunicornWorkers);
  const allBusy = busy !== null && total > 0 && busy >= total;
  const cpuFull = input.cpuUsed !== null && input.cpuUsed >= config.load.cpuSaturatedShare * config.cpus;
  const overloaded = !booting && !cpuFull && ((queued !== null && queued > 0) || allBusy);
  const free = busy === null ? null : total - busy;
  const idle =
    queued !== null
      ? queued === 0 && (free === null || free >= 2 * config.threads)
      : free !== null && free >= 2 * config.threads;
  const next: AdaptiveState = {
    ...state,
    overloadSinceMs: overloaded ? (state.overloadSinceMs ?? input.atMs) : null,
    idleSinceMs: idle && !overloaded ? (state.idleSinceMs ?? input.atMs) : null,
  };
  const figures = `backlog ${queued ?? "?"}, busy ${busy ?? "?"} of ${total} slot(s)`;
  if (next.overloadSinceMs !== null && input.atMs - next.overloadSinceMs >= config.load.overloadMs) {
    return {
      verdict: {
        kind: "up",
        reason: `overloaded for ${Math.round((input.atMs - next.overloadSinceMs) / 100) / 10} s (${figures})`,
      },
      state: next,
    };
  }
  const idleFor = next.idleSinceMs === null ? 0 : input.atMs - next.idleSinceMs;
  if (next.idleSinceMs !== null && idleFor >= config.load.idleMs * state.idleMultiplier) {
    return {
      verdict: { kind: "down", reason: `idle for ${Math.round(idleFor / 100) / 10} s (${figures})` },
      state: next,
    };
  }
  return { verdict: { kind: "steady" }, state: next };
}

/** The anti-flap bookkeeping after a load scale-up. */
export function afterScaleUp(state: AdaptiveState, atMs: number, config: AdaptiveConfig): AdaptiveState {
  const flap = state.lastScaleDownAtMs !== null && atMs - state.lastScaleDownAtMs <= config.load.flapWindowMs;
  return {
    ...state,
    overloadSinceMs: null,
    idleSinceMs: null,
    lastScaleUpAtMs: atMs,
    idleMultiplier: flap
      ? Math.min(config.load.maxMultiplier, state.idleMultiplier + config.load.penalty)
      : state.idleMultiplier,
  };
}

/** The anti-flap bookkeeping after a load scale-down. */
export function afterScaleDown(state: AdaptiveState, atMs: number, config: AdaptiveConfig): AdaptiveState {
  const calm = state.lastScaleUpAtMs === null || atMs - state.lastScaleUpAtMs > config.load.flapWindowMs;
  return {
    ...state,
    overloadSinceMs: null,
    idleSinceMs: null,
    lastScaleDownAtMs: atMs,
    idleMultiplier: calm ? Math.max(1, state.idleMultiplier - 1) : state.idleMultiplier,
  };
}
