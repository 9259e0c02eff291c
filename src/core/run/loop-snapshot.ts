/**
 * The live picture `/api/state`, `/metrics` and `/healthz` serve: the loop's last sample joined with the
 * lifecycle (which worker is ready), what the loop knows about the master, and the event counts.
 */
import type { EventKind } from "../events/types.js";
import type { Plan } from "../plan/types.js";
import { unknownProcess, type Sample } from "../sample/sample.js";
import { buildSnapshot, type WorkerLife } from "../snapshot/build.js";
import type { SupervisorSnapshot } from "../snapshot/snapshot.js";
import { masterLife, type LoopState } from "./loop-state.js";

/** A sample with nothing in it yet (before the first tick). */
export function emptySample(time: string, selfPid: number): Sample {
  return {
    time,
    atMs: 0,
    durationMs: 0,
    master: null,
    workers: [],
    cgroup: null,
    backlog: null,
    self: unknownProcess(selfPid),
  };
}

export interface SnapshotContext {
  plan: Plan | null;
  eventsByKind: Partial<Record<EventKind, number>>;
  /** ISO 8601, for the empty sample before the first tick. */
  time: string;
  selfPid: number;
}

/** Joins the loop's state into a snapshot. */
export function loopSnapshot(state: LoopState, ctx: SnapshotContext): SupervisorSnapshot {
  const watch = state.watch;
  const workers = new Map<number, WorkerLife>();
  for (const [pid, w] of watch.lifecycle.workers) {
    if (w.phase === "dead") continue;
    const facts = watch.pids.get(pid);
    workers.set(pid, {
      state: w.phase,
      bootedAt: facts?.bootedAt ?? null,
      readyAt: facts?.readyAt ?? null,
      requests: null,
    });
  }
  return buildSnapshot({
    sample: watch.lastSample ?? emptySample(ctx.time, ctx.selfPid),
    master: masterLife(state),
    workers,
    plan: ctx.plan,
    eventsByKind: ctx.eventsByKind,
  });
}
