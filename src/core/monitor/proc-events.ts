/**
 * Lifecycle events of a gunicorn watched only through /proc (`monitor --pid`): a new child of the
 * master is a `worker_boot`, a child gone is a death (`worker_signal`, cause unknown, the same event
 * `run` records for a worker gone without a hook or log record; `oom-confirmed` from the cgroup when
 * its OOM-kill counter rose meanwhile), the master gone is a `halt`. Source `proc` (or `cgroup`).
 */
import type { GunicornEvent } from "../events/types.js";

/** What one /proc look saw: the master, its children (pid → start time in ticks), the cgroup's OOM kills. */
export interface ProcLook {
  /** ISO 8601. */
  time: string;
  masterAlive: boolean;
  workers: ReadonlyMap<number, number | null>;
  oomKills: number | null;
}

/** The events between two looks (none on the first look). */
export function procEvents(before: ProcLook | null, after: ProcLook): GunicornEvent[] {
  if (before === null) return [];
  const events: GunicornEvent[] = [];
  const time = after.time;
  const gone = [...before.workers]
    .filter(([pid, start]) => !after.workers.has(pid) || (after.workers.get(pid) !== start && start !== null))
    .map(([pid]) => pid);
  const born = [...after.workers]
    .filter(
      ([pid, start]) => !before.workers.has(pid) || (before.workers.get(pid) !== start && start !== null),
    )
    .map(([pid]) => pid);
  let ooms =
    before.oomKills !== null && after.oomKills !== null ? Math.max(0, after.oomKills - before.oomKills) : 0;
  if (before.masterAlive && !after.masterAlive) {
    events.push({ kind: "halt", reason: "the master process is gone", source: "proc", time });
  }
  for (const pid of gone) {
    if (!after.masterAlive) {
      events.push({ kind: "worker_exit", pid, source: "proc", time });
    } else if (ooms > 0) {
      ooms--;
      events.push({
        kind: "worker_signal",
        pid,
        signal: "SIGKILL",
        cause: "oom-confirmed",
        detail: "the cgroup's OOM-kill counter rose",
        source: "cgroup",
        time,
      });
    } else {
      events.push({
        kind: "worker_signal",
        pid,
        signal: "unknown",
        cause: "unknown",
        detail:
          born.length > 0 ? "gone from the master's children; replaced" : "gone from the master's children",
        source: "proc",
        time,
      });
    }
  }
  for (const pid of born) events.push({ kind: "worker_boot", pid, source: "proc", time });
  return events;
}
