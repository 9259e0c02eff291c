/**
 * The lifecycle state machine: `foldEvent(state, event)` folds lifecycle events (from logs, hooks, /proc,
 * cgroups or the supervisor) into per-worker and master state. Bounded: dead workers are kept only in a
 * short ring. It also infers hard deaths that gunicorn ≤20.0 never logs: a replacement `Booting worker`
 * with no death line before it (gunicorn.md §4.3).
 */
import type { GunicornEvent, MasterSignal, WorkerSignalCause } from "./types.js";
import { msOf } from "./time.js";

export type DeathCause =
  | WorkerSignalCause
  | "exit"
  | "timeout"
  | "max-requests"
  | "exit-code"
  | "boot-error"
  | "app-load-error"
  | "hard-death";
export type ExitReason = "timeout" | "max-requests" | "shutdown" | "retire" | "boot-error" | "app-load-error";

export type WorkerState =
  | { phase: "booting"; pid: number; since?: string }
  | { phase: "ready"; pid: number; since?: string }
  | { phase: "busy"; pid: number; since?: string }
  | { phase: "exiting"; pid: number; reason: ExitReason; since?: string }
  | { phase: "dead"; pid: number; cause: DeathCause; code?: number; signal?: string; since?: string };

export type MasterState =
  | { phase: "starting" }
  | { phase: "running" }
  | { phase: "reloading" }
  | { phase: "stopping"; signal: MasterSignal }
  | { phase: "halted"; reason: string; exitCode?: number }
  | { phase: "crashed"; message: string };

export interface HardDeath {
  /** The worker presumed dead, when it can be told (the one that had timed out). */
  pid?: number;
  replacedBy: number;
  time?: string;
}

export interface LifecycleState {
  master: MasterState;
  version?: string;
  masterPid?: number;
  /** Whether `Starting gunicorn` was seen: only then are hard deaths inferred. */
  started: boolean;
  /** Live workers, in boot order. */
  workers: ReadonlyMap<number, WorkerState>;
  /** The most recent dead workers (newest last). */
  dead: readonly WorkerState[];
  /** Deaths not yet answered by a replacement boot (minus planned retirements). */
  owed: number;
  /** Workers the master is retiring (HUP, TTOU): their deaths want no replacement. */
  retiring: ReadonlySet<number>;
  hardDeaths: number;
  lastHardDeath?: HardDeath;
  /** When the master started listening (ms), to tell the initial spawn burst from replacements. */
  startedAtMs?: number;
}

/** Boots later than this after `Listening at` are replacements, not the initial spawn. */
const INITIAL_BURST_MS = 3000;

const DEAD_RING = 64;
/** Live workers kept at most: pids whose death was never logged (truncated logs) must not pile up. */
const MAX_LIVE = 256;

/** The state before any event. */
export function initialLifecycle(): LifecycleState {
  return {
    master: { phase: "starting" },
    started: false,
    workers: new Map(),
    dead: [],
    owed: 0,
    retiring: new Set(),
    hardDeaths: 0,
  };
}

function at(event: GunicornEvent): { since?: string } {
  return event.time === undefined ? {} : { since: event.time };
}

function withWorker(state: LifecycleState, worker: WorkerState): LifecycleState {
  const workers = new Map(state.workers);
  workers.set(worker.pid, worker);
  if (workers.size > MAX_LIVE) workers.delete(workers.keys().next().value ?? -1);
  return { ...state, workers };
}

function isDead(state: LifecycleState, pid: number): WorkerState | undefined {
  for (let i = state.dead.length - 1; i >= 0; i--) if (state.dead[i]!.pid === pid) return state.dead[i];
  return undefined;
}

function causeOfExit(state: LifecycleState, w: WorkerState | undefined): DeathCause {
  if (w?.phase === "exiting") {
    if (w.reason === "shutdown") return "shutdown";
    if (w.reason === "retire") return "scale-down";
    return w.reason;
  }
  if (w && state.retiring.has(w.pid)) return "scale-down";
  return state.master.phase === "stopping" ? "shutdown" : "exit";
}

/** Moves a worker to `dead` (once); later lines about the same death only refine it. */
function kill(
  state: LifecycleState,
  event: GunicornEvent,
  pid: number,
  cause: DeathCause,
  extra: { code?: number; signal?: string } = {},
): LifecycleState {
  const previous = isDead(state, pid);
  if (previous && previous.phase === "dead") {
    const refined: WorkerState = {
      ...previous,
      ...extra,
      cause: previous.cause === "exit" || previous.cause === "exit-code" ? cause : previous.cause,
    };
    return { ...state, dead: state.dead.map((w) => (w === previous ? refined : w)) };
  }
  const live = state.workers.get(pid);
  const workers = new Map(state.workers);
  workers.delete(pid);
  const retiring = new Set(state.retiring);
  const planned = retiring.delete(pid);
  const running = state.master.phase === "running" || state.master.phase === "reloading";
  const owed = state.owed + (live && running && !planned ? 1 : 0);
  const dead = [
    ...state.dead.slice(-(DEAD_RING - 1)),
    { phase: "dead", pid, cause, ...extra, ...at(event) } as WorkerState,
  ];
  const master =
    state.master.phase === "reloading" && retiring.size === 0 ? { phase: "running" as const } : state.master;
  return { ...state, workers, retiring, owed, dead, master };
}

function boot(state: LifecycleState, event: GunicornEvent, pid: number): LifecycleState {
  if (state.workers.has(pid)) return state;
  let next = withWorker(state, { phase: "booting", pid, ...at(event) });
  if (state.master.phase !== "running" && state.master.phase !== "reloading") return next;
  if (next.owed > 0) return { ...next, owed: next.owed - 1 };
  if (!state.started) return next;
  // A replacement nobody asked for: some worker died without a word (≤20.0, or a lost line).
  const victim = [...state.workers.values()].find((w) => w.phase === "exiting" && w.reason === "timeout");
  const hard: HardDeath = {
    replacedBy: pid,
    ...(victim ? { pid: victim.pid } : {}),
    ...(event.time === undefined ? {} : { time: event.time }),
  };
  if (victim) next = kill({ ...next, owed: 0 }, event, victim.pid, "timeout-escalation");
  return { ...next, owed: 0, hardDeaths: next.hardDeaths + 1, lastHardDeath: hard };
}

function onMasterSignal(state: LifecycleState, signal: MasterSignal): LifecycleState {
  const base =
    state.master.phase === "starting" ? { ...state, master: { phase: "running" as const } } : state;
  switch (signal) {
    case "term":
    case "int":
    case "quit":
      return { ...base, master: { phase: "stopping", signal } };
    case "hup": {
      const retiring = new Set([...base.retiring, ...base.workers.keys()]);
      return {
        ...base,
        master: { phase: "reloading" },
        retiring,
        owed: base.owed + base.workers.size - base.retiring.size,
      };
    }
    case "ttin":
      return { ...base, owed: base.owed + 1 };
    case "ttou": {
      const candidates = [...base.workers.keys()].filter((pid) => !base.retiring.has(pid));
      if (candidates.length <= 1) return base;
      return { ...base, retiring: new Set([...base.retiring, candidates[0]!]) };
    }
    case "usr1":
    case "usr2":
    case "winch":
      return base;
  }
}

function mark(
  state: LifecycleState,
  pid: number | undefined,
  reason: ExitReason,
  event: GunicornEvent,
): LifecycleState {
  if (pid === undefined) return state;
  const w = state.workers.get(pid);
  return w ? withWorker(state, { phase: "exiting", pid, reason, ...at(event) }) : state;
}

/** Folds one event into the lifecycle state (pure: returns a new state). */
export function foldEvent(state: LifecycleState, event: GunicornEvent): LifecycleState {
  const pid = event.pid;
  const late =
    event.kind === "worker_boot" &&
    state.startedAtMs !== undefined &&
    (msOf(event.time) ?? 0) - state.startedAtMs > INITIAL_BURST_MS;
  const running =
    state.master.phase === "starting" &&
    (late ||
      (event.kind !== "worker_boot" &&
        event.kind !== "listening" &&
        event.kind !== "start" &&
        event.kind !== "bind_error"));
  const s = running ? { ...state, master: { phase: "running" as const } } : state;
  switch (event.kind) {
    case "start": {
      const masterPid = event.masterPid ?? pid;
      const startedAtMs = msOf(event.time);
      return {
        ...initialLifecycle(),
        started: true,
        ...(event.version ? { version: event.version } : {}),
        ...(masterPid === undefined ? {} : { masterPid }),
        ...(startedAtMs === undefined ? {} : { startedAtMs }),
      };
    }
    case "listening": {
      const startedAtMs = msOf(event.time);
      return startedAtMs === undefined || s.master.phase !== "starting" ? s : { ...s, startedAtMs };
    }
    case "worker_boot":
      return pid === undefined ? s : boot(s, event, pid);
    case "worker_ready": {
      const w = pid === undefined ? undefined : s.workers.get(pid);
      return w && (w.phase === "booting" || w.phase === "busy")
        ? withWorker(s, { phase: "ready", pid: w.pid, ...at(event) })
        : s;
    }
    case "worker_timeout":
      return mark(s, pid, "timeout", event);
    case "max_requests_restart":
      return mark(s, pid, "max-requests", event);
    case "worker_boot_error":
      return mark(s, pid, "boot-error", event);
    case "app_load_error": {
      const target = pid ?? [...s.workers.values()].reverse().find((w) => w.phase === "booting")?.pid;
      return mark(s, target, "app-load-error", event);
    }
    case "worker_exit":
      return pid === undefined ? s : kill(s, event, pid, causeOfExit(s, s.workers.get(pid)));
    case "worker_exit_code": {
      if (pid === undefined) return s;
      const cause: DeathCause =
        event.code === 3
          ? "boot-error"
          : event.code === 4
            ? "app-load-error"
            : event.signal
              ? "unknown"
              : "exit-code";
      return kill(s, event, pid, cause, {
        code: event.code,
        ...(event.signal ? { signal: event.signal } : {}),
      });
    }
    case "worker_signal":
      return pid === undefined ? s : kill(s, event, pid, event.cause, { signal: event.signal });
    case "boot_deadline_kill":
      return pid === undefined ? s : mark(s, pid, "timeout", event);
    case "recycle":
      return mark(s, pid, "retire", event);
    case "master_signal":
      // a service manager's announcement is not the master's own signal (gunicorn logs that one)
      return event.from === "service-manager" ? s : onMasterSignal(s, event.signal);
    case "halt": {
      const master: MasterState = {
        phase: "halted",
        reason: event.reason,
        ...(event.exitCode === undefined ? {} : { exitCode: event.exitCode }),
      };
      return { ...s, master, workers: new Map(), retiring: new Set(), owed: 0 };
    }
    case "master_crash":
      return { ...s, master: { phase: "crashed", message: event.message }, workers: new Map(), owed: 0 };
    case "bind_error":
      return /can't connect/i.test(event.message)
        ? { ...s, master: { phase: "halted", reason: event.message, exitCode: 1 } }
        : s;
    case "scale_up":
      return { ...s, owed: s.owed + Math.max(0, event.to - event.from) };
    case "scale_down":
    case "request_error":
    case "logging_error":
    case "restart":
      return s;
  }
}

/** Folds a whole sequence (tests, small inputs). */
export function foldEvents(
  events: Iterable<GunicornEvent>,
  from: LifecycleState = initialLifecycle(),
): LifecycleState {
  let state = from;
  for (const event of events) state = foldEvent(state, event);
  return state;
}
