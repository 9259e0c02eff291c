/**
 * Hooks and log lines report the same things (a boot, a death, the master's start): `run` keeps the
 * first report of each kind for each pid within a window and drops the echo. Supervisor and cgroup
 * events are never echoes. A value: `noteReport` returns the next state; old keys are pruned.
 */
import type { GunicornEvent } from "../events/types.js";

/** `kind:pid` → when it was last reported (ms). */
export type EchoState = ReadonlyMap<string, number>;

export const NO_ECHOES: EchoState = new Map();

const WINDOW_MS = 10_000;
const MAX_KEYS = 512;

/** Notes one report: whether it echoes an earlier one within the window, and the next state. */
export function noteReport(
  state: EchoState,
  event: GunicornEvent,
  nowMs: number,
  windowMs = WINDOW_MS,
): { echo: boolean; state: EchoState } {
  if (event.pid === undefined || event.source === "supervisor" || event.source === "cgroup") {
    return { echo: false, state };
  }
  const key = `${event.kind}:${event.pid}`;
  const before = state.get(key);
  const next = new Map(state.size > MAX_KEYS ? [...state].filter(([, t]) => nowMs - t <= windowMs) : state);
  next.set(key, nowMs);
  return { echo: before !== undefined && nowMs - before < windowMs, state: next };
}
