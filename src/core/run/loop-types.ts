/**
 * The vocabulary of `gwarden run`'s loop, a pure step `step(state, input, config) → { state, commands }`
 * (loop-step.ts). Inputs are what happened — gunicorn started or ended, a hook record, log events, a
 * sample of /proc and the cgroup, a signal to gwarden, a timer — each stamped with the loop's monotonic
 * milliseconds (`atMs`) and the wall clock (`time`, ISO 8601). Commands are what to do; a thin runner
 * (src/adapters/run/runner.ts) carries them out and feeds their results back as inputs.
 */
import type { AdaptiveConfig } from "../adaptive/types.js";
import type { GunicornEvent } from "../events/types.js";
import type { HookRecord } from "../events/hook-record.js";
import type { Plan } from "../plan/types.js";
import type { BootExit } from "../profile/boot-failure.js";
import type { Sample } from "../sample/sample.js";
import type { RestartPolicy } from "./restart-policy.js";

export interface LoopConfig {
  plan: Plan | null;
  bootDeadlineMs: number;
  gracefulTimeoutMs: number;
  restartPolicy: RestartPolicy;
  /** Adaptive control, or null for a fixed plan (`--no-adaptive`). */
  adaptive: AdaptiveConfig | null;
  /** systemd's watchdog: ping at this interval (half of WATCHDOG_USEC), null without one. */
  watchdogMs: number | null;
}

/** Stamped on every input: the loop's monotonic milliseconds and the wall clock. */
export interface At {
  atMs: number;
  time: string;
}

/** The loop's timers (one of each kind at a time; scheduling again replaces it). */
export type TimerId = "restart" | "stop-kill" | "stop-booting";

/** The signals gwarden reacts to: TERM and INT stop, the others are passed on to the master. */
export type LoopSignal = "SIGTERM" | "SIGINT" | "SIGHUP" | "SIGTTIN" | "SIGTTOU" | "SIGUSR1";

export type LoopInput = At &
  (
    | { kind: "begin" }
    /** The master runs; `oomKills` is the group's OOM counter read at the spawn (null when unknown). */
    | { kind: "spawned"; pid: number; oomKills: number | null }
    | { kind: "spawn_failed"; message: string }
    | { kind: "hook"; record: HookRecord }
    /** Events parsed from gunicorn's log (the runner runs the streaming parser). */
    | { kind: "log"; events: GunicornEvent[] }
    | { kind: "sample"; sample: Sample }
    /** The master ended; the log was read to its end before this input. */
    | { kind: "master_exit"; pid: number; exit: BootExit; stderrTail: string; oomKills: number | null }
    | { kind: "signal"; signal: LoopSignal }
    | { kind: "timer"; id: TimerId }
    /** The outcome of a `set_oom_score` command: null when it was set, else the error code. */
    | { kind: "oom_score"; pid: number; value: number; error: string | null }
  );

/** systemd's notify protocol messages gwarden sends (sd_notify). */
export type NotifyMessage = "READY=1" | "STOPPING=1" | "WATCHDOG=1";

export type LoopCommand =
  /** Start the gunicorn master (the runner knows the command line). */
  | { kind: "spawn" }
  /** Sample the master with these listening ports (again on every new master and when the ports are known). */
  | { kind: "watch_master"; pid: number; ports: number[] }
  /** A signal to a pid, or to a process group as a negative pid. */
  | { kind: "signal"; target: number; signal: NodeJS.Signals }
  | { kind: "set_oom_score"; pid: number; value: number }
  /** An event for the ring, the JSONL log and the counters. */
  | { kind: "record"; event: GunicornEvent }
  /** A line of gwarden's own output. */
  | { kind: "say"; text: string }
  | { kind: "schedule"; id: TimerId; atMs: number }
  | { kind: "cancel"; id: TimerId }
  /** Take a sample now (an OOM confirmation or a kernel memory event wants fresh figures). */
  | { kind: "sample_now" }
  | { kind: "notify"; message: NotifyMessage }
  /** gwarden is done: exit with this code. */
  | { kind: "exit"; code: number }
  /** gwarden cannot go on: fail with this error. */
  | { kind: "fail"; code: "E_GUNICORN_MISSING"; message: string; hint: string };

export interface StepResult<S> {
  state: S;
  commands: LoopCommand[];
}
