/**
 * gunicorn's own worker count against gwarden's target. gunicorn reports its count on every change
 * (`nworkers_changed`): the first report is the configured count (the plan's, or the user's `-w` kept
 * with --keep-args); a reload resets the count to the configured one, and gwarden re-applies its target
 * (combine.ts); a change gwarden did not cause and that is not a reload (a TTIN/TTOU an operator sent
 * through gwarden) becomes the new configured count — after one tick, since a reload's `on_reload`
 * record follows its count record and may land in the next tick.
 */
import type { AdaptiveInput, AdaptiveState } from "./types.js";

/** Folds the reported count and reloads into the state; `wait` asks the step to send nothing this tick. */
export function reconcileCount(
  state: AdaptiveState,
  input: AdaptiveInput,
  notes: string[],
): { state: AdaptiveState; wait: boolean } {
  const reported = input.gunicornWorkers;
  if (input.reloads > state.reloads) {
    // A reload spawns a new set of workers and resets gunicorn's count: whatever was in flight is moot.
    return {
      state: {
        ...state,
        reloads: input.reloads,
        inFlight: null,
        external: null,
        gunicornWorkers: reported ?? state.base,
      },
      wait: false,
    };
  }
  if (reported === null || reported < 1) return { state, wait: false };
  if (!state.countSeen) {
    if (reported !== state.base)
      notes.push(
        `gunicorn runs ${reported} worker(s) as configured (the plan said ${state.base}): adaptive control starts from ${reported}`,
      );
    return {
      state: {
        ...state,
        countSeen: true,
        base: reported,
        target: reported,
        gunicornWorkers: reported,
        external: null,
      },
      wait: false,
    };
  }
  if (reported === state.gunicornWorkers)
    return { state: state.external === null ? state : { ...state, external: null }, wait: false };
  // Our own TTIN/TTOU may not be reported yet: a mismatch while one is in flight is not news.
  if (state.inFlight !== null && state.inFlight.kind !== "recycle") return { state, wait: false };
  if (state.external !== reported) return { state: { ...state, external: reported }, wait: true };
  notes.push(
    `gunicorn's count went from ${state.gunicornWorkers} to ${reported} without gwarden (a TTIN/TTOU sent to it): ${reported} is the configured count now`,
  );
  return {
    state: { ...state, base: reported, target: reported, gunicornWorkers: reported, external: null },
    wait: false,
  };
}
