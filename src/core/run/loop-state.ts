/**
 * The state of `gwarden run`'s loop: where the gunicorn master is in its life, how many stops were
 * asked, the history the restart policy reads, the watch (lifecycle, boot clock, pending OOM deaths)
 * and adaptive control. A value: the step returns a new one.
 */
import type { MasterLife } from "../snapshot/build.js";
import { attachAdaptive, initialAdaptiveLink, type AdaptiveLink } from "./adaptive-link.js";
import type { LoopConfig } from "./loop-types.js";
import type { MasterRun } from "./restart-policy.js";
import { attachWatch, initialWatch, type WatchState } from "./watch.js";

export type MasterPhase =
  /** Before the first spawn. */
  | { phase: "idle" }
  /** A spawn was asked; waiting for `spawned` or `spawn_failed`. */
  | { phase: "spawning" }
  | { phase: "up"; pid: number; startedAtMs: number; startedAt: string }
  /** The master ended and a restart is scheduled. */
  | { phase: "backoff" }
  | { phase: "done"; exitCode: number };

export interface LastExit {
  pid: number;
  startedAt: string;
  meaning: string;
  exitCode: number;
}

export interface LoopState {
  master: MasterPhase;
  /** TERM/INT received so far: 1 graceful, 2 quick, 3 kill. */
  stops: number;
  /** The graceful stop killed the workers still booting (once). */
  bootingKilled: boolean;
  history: readonly MasterRun[];
  lastExit: LastExit | null;
  watch: WatchState;
  adaptive: AdaptiveLink | null;
  /** READY=1 went to systemd (once: a restarted master is the same service). */
  readyNotified: boolean;
  lastWatchdogMs: number | null;
  /** The master's oom_score_adj outcome was said (once). */
  masterScoreSaid: boolean;
  /** Kernel memory-event notes already said (each once). */
  memoryEventsSaid: readonly string[];
}

export function initialLoopState(config: LoopConfig): LoopState {
  return {
    master: { phase: "idle" },
    stops: 0,
    bootingKilled: false,
    history: [],
    lastExit: null,
    watch: initialWatch(),
    adaptive: config.adaptive === null ? null : initialAdaptiveLink(config.adaptive),
    readyNotified: false,
    lastWatchdogMs: null,
    masterScoreSaid: false,
    memoryEventsSaid: [],
  };
}

/** A new master runs: per-run state starts over. */
export function attachMaster(
  state: LoopState,
  pid: number,
  atMs: number,
  time: string,
  oomKills: number | null,
  config: LoopConfig,
): LoopState {
  return {
    ...state,
    master: { phase: "up", pid, startedAtMs: atMs, startedAt: time },
    watch: attachWatch(state.watch, oomKills),
    adaptive:
      state.adaptive !== null && config.adaptive !== null
        ? attachAdaptive(state.adaptive, pid, config.adaptive)
        : state.adaptive,
  };
}

/** The current master's pid, null when none runs. */
export function masterPid(state: LoopState): number | null {
  return state.master.phase === "up" ? state.master.pid : null;
}

/** The master as /api/state shows it. */
export function masterLife(state: LoopState): MasterLife {
  const m = state.master;
  if (m.phase === "up") {
    if (state.stops > 0) return { state: "stopping", pid: m.pid, startedAt: m.startedAt };
    const phase = state.watch.lifecycle.master.phase;
    const running = phase === "running" || phase === "reloading";
    return running
      ? { state: "running", pid: m.pid, startedAt: m.startedAt }
      : { state: "starting", pid: m.pid, startedAt: m.startedAt };
  }
  const last = state.lastExit;
  if (last !== null && (m.phase === "backoff" || m.phase === "done")) {
    return {
      state: "down",
      pid: last.pid,
      startedAt: last.startedAt,
      reason: last.meaning,
      exitCode: last.exitCode,
    };
  }
  return { state: "starting", pid: null, startedAt: null };
}

/** Whether the sampler should read every worker's smaps_rollup at the next tick. */
export function wantsFreshMemory(state: LoopState): boolean {
  return state.adaptive?.freshMemory ?? false;
}
