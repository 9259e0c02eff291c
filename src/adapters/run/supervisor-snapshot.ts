/**
 * The live picture `/api/state`, `/metrics` and `/healthz` serve: the watch's last sample joined with
 * the lifecycle (which worker is ready) and what the supervisor knows about the master.
 */
import type { Plan } from "../../core/plan/types.js";
import { type Sample } from "../../core/sample/sample.js";
import { type SupervisorSnapshot } from "../../core/snapshot/snapshot.js";
import type { Watch } from "./supervisor-watch.js";
import { buildSnapshot, type MasterLife, type WorkerLife } from "../../core/snapshot/build.js";
import { UNKNOWN_MEMORY } from "../../core/sample/figures.js";

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
    self: {
      pid: selfPid,
      procState: null,
      startTimeTicks: null,
      memory: UNKNOWN_MEMORY,
      cpuSeconds: null,
      cpuPercent: null,
    },
  };
}

/** Joins the watch's state into a snapshot. */
export function snapshotOf(
  watch: Watch,
  master: MasterLife,
  plan: Plan | null,
  now: Date,
  selfPid: number,
): SupervisorSnapshot {
  const workers = new Map<number, WorkerLife>();
  for (const [pid, w] of watch.lifecycle.workers) {
    if (w.phase === "dead") continue;
    workers.set(pid, {
      state: w.phase,
      bootedAt: watch.bootedAt.get(pid) ?? null,
      readyAt: watch.readyAt.get(pid) ?? null,
      requests: null,
    });
  }
  return buildSnapshot({
    sample: watch.lastSample ?? emptySample(now.toISOString(), selfPid),
    master,
    workers,
    plan,
    eventsByKind: watch.counts,
  });
}
