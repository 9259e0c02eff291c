/**
 * What the terminal monitor draws: the snapshot (from `/api/state`, or built from /proc when attached
 * to a bare gunicorn master), the events of the last minute, the verdict, and where it all came from.
 */
import type { GunicornEvent } from "../events/types.js";
import type { SupervisorSnapshot } from "../snapshot/snapshot.js";
import type { Verdict } from "./verdict.js";

export interface MonitorView {
  /** `api` (a running `gwarden run`) or `proc` (attached to a gunicorn master by pid). */
  mode: "api" | "proc";
  /** `http://127.0.0.1:9191` or `pid 1234`. */
  target: string;
  /** ISO 8601 time the view was drawn. */
  now: string;
  snapshot: SupervisorSnapshot;
  /** CPU quota in CPUs (null: none) and what the app can use (min of quota and affinity); null when unknown. */
  cpu: { quota: number | null; effective: number } | null;
  /** Events of the last 60 s, oldest first. */
  events: readonly GunicornEvent[];
  verdict: Verdict;
  /** Why the last refresh failed (the view then shows the last good data), or null. */
  error: string | null;
}

/** Events whose time is within `windowMs` before `nowIso` (events without a time are kept). */
export function recentEvents<E extends { time?: string }>(
  events: readonly E[],
  nowIso: string,
  windowMs = 60_000,
): E[] {
  const now = Date.parse(nowIso);
  return events.filter((e) => {
    const at = e.time === undefined ? NaN : Date.parse(e.time);
    return !Number.isFinite(at) || !Number.isFinite(now) || now - at <= windowMs;
  });
}
