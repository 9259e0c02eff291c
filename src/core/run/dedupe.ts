/**
 * Hooks and log lines report the same things (a boot, a death, the master's start): `run` keeps the
 * first report of each kind for each pid within a window and drops the echo. Supervisor and cgroup
 * events are never echoes. Bounded: old keys are pruned. The clock is the caller's (ms).
 */
import type { GunicornEvent } from "../events/types.js";

export interface Deduper {
  /** True when the same kind was already reported for the same pid within the window. */
  isEcho(event: GunicornEvent, nowMs: number): boolean;
}

/** A deduper with a window of `windowMs`, pruning when more than `maxKeys` are remembered. */
export function createDeduper(windowMs = 10_000, maxKeys = 512): Deduper {
  const seen = new Map<string, number>();
  return {
    isEcho(event, nowMs) {
      if (event.pid === undefined || event.source === "supervisor" || event.source === "cgroup") return false;
      const key = `${event.kind}:${event.pid}`;
      const before = seen.get(key);
      if (seen.size > maxKeys) for (const [k, t] of seen) if (nowMs - t > windowMs) seen.delete(k);
      seen.set(key, nowMs);
      return before !== undefined && nowMs - before < windowMs;
    },
  };
}
