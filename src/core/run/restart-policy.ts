/**
 * When the gunicorn master exits on its own, `run` restarts it with exponential backoff (1 s × 2 up to
 * 30 s, reset after a stable uptime), and gives up when it keeps failing fast (flapping) — like PM2's
 * exp_backoff_restart_delay and circus's flapping plugin (supervisors.md §1). Pure: runs are given
 * with their times in milliseconds.
 */
import type { BootExit } from "../profile/boot-failure.js";

export interface RestartPolicy {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** A run that lasted this long was stable: the backoff starts over. */
  stableMs: number;
  /** Fast failures in a row that are restarted; one more and `run` gives up. */
  maxRestarts: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 30_000,
  stableMs: 60_000,
  maxRestarts: 5,
};

/** One life of the gunicorn master. */
export interface MasterRun {
  startedAtMs: number;
  endedAtMs: number;
  exit: BootExit;
}

export type RestartDecision =
  | { action: "restart"; attempt: number; delayMs: number; reason: string }
  | { action: "give-up"; reason: string }
  | { action: "exit"; reason: string };

/** How the master ended, in words. */
export function describeExit(exit: BootExit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? "?"}`;
}

/** Fast failures at the end of the history, newest last (a stable run or a clean exit ends the streak). */
export function fastFailures(history: readonly MasterRun[], policy: RestartPolicy): number {
  let n = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const run = history[i]!;
    if (run.endedAtMs - run.startedAtMs >= policy.stableMs) break;
    n++;
  }
  return n;
}

/** Decides what follows the last run in `history` (a master that exited without being asked to). */
export function decideRestart(
  history: readonly MasterRun[],
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartDecision {
  const last = history[history.length - 1];
  if (last === undefined) return { action: "exit", reason: "gunicorn never ran" };
  const how = describeExit(last.exit);
  if (last.exit.signal === null && last.exit.code === 0) {
    return { action: "exit", reason: `gunicorn ${how} (stopped from outside gwarden)` };
  }
  if (last.exit.code === 2) {
    return {
      action: "give-up",
      reason: `gunicorn ${how}: it rejected its command line or config, a restart cannot help`,
    };
  }
  const fast = fastFailures(history, policy);
  if (fast === 0)
    return {
      action: "restart",
      attempt: 1,
      delayMs: policy.initialDelayMs,
      reason: `gunicorn ${how} after a stable run`,
    };
  if (fast > policy.maxRestarts) {
    return {
      action: "give-up",
      reason: `gunicorn ${how}, ${fast} failure${fast === 1 ? "" : "s"} in a row within ${Math.round(policy.stableMs / 1000)} s of starting (flapping; --max-restarts ${policy.maxRestarts})`,
    };
  }
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (fast - 1));
  return { action: "restart", attempt: fast, delayMs, reason: `gunicorn ${how}` };
}
