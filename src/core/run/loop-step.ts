/**
 * `gwarden run`'s loop as one pure step: `step(state, input, config) → { state, commands }`. It starts
 * the gunicorn master and restarts it with backoff (giving up on flapping, and at once on a start that
 * cannot succeed), stops it gracefully, then quickly, then by force as TERM/INT repeat, passes HUP,
 * TTIN, TTOU and USR1 on, follows every worker through the watch (deaths, OOM confirmation, the boot
 * deadline), runs adaptive control on each sample and tells systemd when it is ready. Nothing here
 * reads a clock, a file or a process: the runner (src/adapters/run/runner.ts) does, and feeds inputs.
 */
import { eventFromHook } from "../events/from-hook.js";
import type { HookRecord } from "../events/hook-record.js";
import type { GunicornEvent } from "../events/types.js";
import { adaptiveRecord, adaptiveSample } from "./adaptive-link.js";
import { explainExit } from "./exit-explain.js";
import { attachMaster, masterPid, type LoopState } from "./loop-state.js";
import type {
  At,
  LoopCommand,
  LoopConfig,
  LoopInput,
  LoopSignal,
  StepResult,
  TimerId,
} from "./loop-types.js";
import { MASTER_OOM_SCORE_ADJ, masterScoreOutcome } from "./oom-scores.js";
import { decideRestart } from "./restart-policy.js";
import { permanentFailure } from "./start-failure.js";
import {
  bootingWorkers,
  ingest,
  liveWorkers,
  noteWorkerScore,
  watchSample,
  type WatchContext,
} from "./watch.js";

/** After the graceful timeout, how long gunicorn gets to finish its own stop before its group is killed. */
export const STOP_KILL_SLACK_MS = 5000;
/** How long a graceful stop waits for the master's "Handling signal: term" before killing booting workers. */
export const STOP_BOOTING_MS = 2000;
/** A kernel memory event samples at once, but not more often than this. */
export const MEMORY_EVENT_SAMPLE_MS = 250;

/** One input in, the next state and the commands out. */
export function step(state: LoopState, input: LoopInput, config: LoopConfig): StepResult<LoopState> {
  const out: LoopCommand[] = [];
  return { state: reduce(state, input, config, out), commands: out };
}

function reduce(state: LoopState, input: LoopInput, config: LoopConfig, out: LoopCommand[]): LoopState {
  switch (input.kind) {
    case "begin":
      out.push({ kind: "spawn" });
      return { ...state, master: { phase: "spawning" } };
    case "spawned":
      return onSpawned(state, input.pid, input.oomKills, input, config, out);
    case "spawn_failed":
      out.push({
        kind: "fail",
        code: "E_GUNICORN_MISSING",
        message: input.message,
        hint: "install gunicorn (Debian: apt-get install gunicorn) or give its path after `--`",
      });
      return { ...state, master: { phase: "done", exitCode: 1 } };
    case "hook": {
      const adaptive = state.adaptive === null ? null : adaptiveRecord(state.adaptive, input.record);
      state = { ...state, adaptive, watch: { ...state.watch, hooksAlive: true } };
      if (input.record.hook === "memory_event") return onMemoryEvent(state, input.record, input, out);
      const event = eventFromHook(input.record);
      return event === null ? state : onEvents(state, [event], input, config, out);
    }
    case "log":
      return onEvents(state, input.events, input, config, out);
    case "sample":
      return onSample(state, input, config, out);
    case "master_exit":
      return onMasterExit(state, input, config, out);
    case "signal":
      return onSignal(state, input.signal, input, config, out);
    case "timer":
      return onTimer(state, input.id, out);
    case "oom_score":
      return onOomScore(state, input, out);
  }
}

/**
 * The kernel said something about memory (a threshold crossed, stalls, an OOM, memory.high at work):
 * sample now rather than at the next tick, so adaptive control acts on it within the same moment — at
 * most every MEMORY_EVENT_SAMPLE_MS, as a group hovering at a threshold would otherwise keep waking it.
 */
function onMemoryEvent(state: LoopState, record: HookRecord, at: At, out: LoopCommand[]): LoopState {
  if (record.kind === "unavailable") {
    const what = record.what ?? "kernel memory events";
    if (state.memoryEventsSaid.includes(what)) return state;
    out.push({
      kind: "say",
      text: `note: ${what} unavailable (${record.reason ?? "no reason given"}); the 1 s sampler watches memory instead`,
    });
    return { ...state, memoryEventsSaid: [...state.memoryEventsSaid, what] };
  }
  if (
    record.kind === "high" &&
    record.high !== undefined &&
    !state.memoryEventsSaid.includes("memory.high")
  ) {
    out.push({
      kind: "say",
      text: `memory.high set to ${Math.round(record.high / 1048576)} MiB: growth past it is throttled and reclaimed before the limit kills`,
    });
    state = { ...state, memoryEventsSaid: [...state.memoryEventsSaid, "memory.high"] };
  }
  const last = state.watch.lastSample?.atMs ?? null;
  if (last === null || at.atMs - last >= MEMORY_EVENT_SAMPLE_MS) out.push({ kind: "sample_now" });
  return state;
}

function context(state: LoopState, config: LoopConfig, out: LoopCommand[]): WatchContext {
  return { config, masterPid: masterPid(state), out };
}

function onEvents(
  state: LoopState,
  events: readonly GunicornEvent[],
  at: At,
  config: LoopConfig,
  out: LoopCommand[],
): LoopState {
  let watch = state.watch;
  for (const event of events) watch = ingest(watch, event, at, context(state, config, out));
  state = notifyReady({ ...state, watch }, out);
  if (events.some((e) => e.kind === "master_signal" && e.signal === "term")) state = killBooting(state, out);
  // A worker became ready but the last sample has not seen it yet: sample now, READY=1 follows from it.
  if (!state.readyNotified && events.some((e) => e.kind === "worker_ready")) out.push({ kind: "sample_now" });
  return state;
}

/**
 * READY=1 goes to systemd once, when `/healthz` turns 200: a worker the lifecycle says is ready is in the
 * last sample (the snapshot lists the sample's workers). Never while stopping.
 */
function notifyReady(state: LoopState, out: LoopCommand[]): LoopState {
  if (state.readyNotified || state.stops > 0) return state;
  const { lastSample, lifecycle } = state.watch;
  if (!lastSample?.workers.some((w) => lifecycle.workers.get(w.pid)?.phase === "ready")) return state;
  out.push({ kind: "notify", message: "READY=1" });
  return { ...state, readyNotified: true };
}

function onSpawned(
  state: LoopState,
  pid: number,
  oomKills: number | null,
  at: At,
  config: LoopConfig,
  out: LoopCommand[],
): LoopState {
  state = attachMaster(state, pid, at.atMs, at.time, oomKills, config);
  out.push(
    { kind: "watch_master", pid, ports: [] },
    { kind: "set_oom_score", pid, value: MASTER_OOM_SCORE_ADJ },
  );
  if (state.stops > 0) stopGracefully(pid, at, config, out);
  return state;
}

function stopGracefully(pid: number, at: At, config: LoopConfig, out: LoopCommand[]): void {
  out.push(
    { kind: "signal", target: pid, signal: "SIGTERM" },
    { kind: "schedule", id: "stop-kill", atMs: at.atMs + config.gracefulTimeoutMs + STOP_KILL_SLACK_MS },
  );
}

function onSample(
  state: LoopState,
  input: Extract<LoopInput, { kind: "sample" }>,
  config: LoopConfig,
  out: LoopCommand[],
): LoopState {
  const pid = masterPid(state);
  const sample = input.sample;
  if (pid === null || (sample.master !== null && sample.master.pid !== pid)) return state;
  let watch = watchSample(state.watch, sample, input, context(state, config, out));
  let adaptive = state.adaptive;
  if (adaptive !== null && config.adaptive !== null && sample.master !== null && state.stops === 0) {
    const decided = adaptiveSample(adaptive, sample, input, pid, config.adaptive, out);
    adaptive = decided.link;
    for (const event of decided.events) watch = ingest(watch, event, input, context(state, config, out));
  }
  state = notifyReady({ ...state, watch, adaptive }, out);
  if (
    config.watchdogMs !== null &&
    sample.master !== null &&
    (state.lastWatchdogMs === null || input.atMs - state.lastWatchdogMs >= config.watchdogMs)
  ) {
    out.push({ kind: "notify", message: "WATCHDOG=1" });
    state = { ...state, lastWatchdogMs: input.atMs };
  }
  return state;
}

function onMasterExit(
  state: LoopState,
  input: Extract<LoopInput, { kind: "master_exit" }>,
  config: LoopConfig,
  out: LoopCommand[],
): LoopState {
  const m = state.master;
  if (m.phase !== "up" || m.pid !== input.pid) return state;
  const { exit, oomKills } = input;
  let watch = state.watch;
  if (exit.signal === "SIGKILL" && oomKills !== null && watch.oomSeen !== null && oomKills > watch.oomSeen) {
    const kills = `cgroup oom_kill ${watch.oomSeen} → ${oomKills}`;
    out.push({
      kind: "say",
      text:
        oomKills - watch.oomSeen >= 2
          ? `the gunicorn master was OOM-killed right after another process (${kills}): the kernel took a second victim while the first one's memory was still charged; restarting gunicorn`
          : config.plan?.preload
            ? `the gunicorn master was OOM-killed (${kills}): with preload it holds the whole app; protect it (oom_score_adj needs CAP_SYS_RESOURCE) or plan fewer workers`
            : `the gunicorn master was OOM-killed (${kills}): the group is out of memory; plan fewer workers or give it more memory`,
    });
    watch = { ...watch, oomSeen: oomKills };
  }
  const explanation = explainExit(exit, watch.runEvents, input.stderrTail);
  const lastExit = {
    pid: m.pid,
    startedAt: m.startedAt,
    meaning: explanation.meaning,
    exitCode: explanation.exitCode,
  };
  state = { ...state, watch, lastExit };
  out.push({ kind: "cancel", id: "stop-kill" });
  const finish = (code: number, ...lines: string[]): LoopState => {
    for (const text of lines) out.push({ kind: "say", text });
    out.push({ kind: "exit", code });
    return { ...state, master: { phase: "done", exitCode: code } };
  };
  if (state.stops > 0)
    return finish(explanation.exitCode, `${explanation.meaning}; exiting with ${explanation.exitCode}`);
  const history = [...state.history, { startedAtMs: m.startedAtMs, endedAtMs: input.atMs, exit }];
  state = { ...state, history };
  const failing = explanation.exitCode === 0 ? 1 : explanation.exitCode;
  const permanent = permanentFailure(exit, watch.runEvents, input.stderrTail);
  if (permanent !== null) {
    return finish(
      failing,
      `error: ${permanent.reason}; a restart cannot help`,
      `fix: ${permanent.fix}`,
      `${explanation.meaning}; exiting with ${failing}`,
    );
  }
  const decision = decideRestart(history, config.restartPolicy);
  const why = explanation.diagnosis === null ? "" : ` — ${explanation.diagnosis}`;
  if (decision.action === "exit")
    return finish(explanation.exitCode, `${decision.reason}; exiting with ${explanation.exitCode}`);
  if (decision.action === "give-up") {
    return finish(
      failing,
      `error: giving up: ${decision.reason}${why}`,
      `${explanation.meaning}; exiting with ${failing}`,
    );
  }
  const event: GunicornEvent = {
    kind: "restart",
    attempt: decision.attempt,
    delayMs: decision.delayMs,
    reason: `${decision.reason}${why}`,
    source: "supervisor",
    time: input.time,
  };
  state = {
    ...state,
    watch: ingest(state.watch, event, input, context(state, config, out)),
    master: { phase: "backoff" },
  };
  out.push(
    {
      kind: "say",
      text: `${explanation.meaning}${why}; restarting in ${decision.delayMs / 1000} s (attempt ${decision.attempt})`,
    },
    { kind: "schedule", id: "restart", atMs: input.atMs + decision.delayMs },
  );
  return state;
}

function onSignal(
  state: LoopState,
  signal: LoopSignal,
  at: At,
  config: LoopConfig,
  out: LoopCommand[],
): LoopState {
  const m = state.master;
  if (signal !== "SIGTERM" && signal !== "SIGINT") {
    if (m.phase !== "up") return state;
    if (signal === "SIGHUP") {
      out.push({
        kind: "say",
        text: "SIGHUP passed to gunicorn: it reloads, briefly running twice the workers, and resets a TTIN/TTOU-adjusted count to the plan's",
      });
    }
    out.push({ kind: "signal", target: m.pid, signal });
    return state;
  }
  const stops = state.stops + 1;
  state = { ...state, stops };
  switch (m.phase) {
    case "idle":
    case "done":
      return state;
    case "spawning":
      out.push({ kind: "say", text: `${signal}: stopping as soon as gunicorn has started` });
      return state;
    case "backoff": {
      const code = state.lastExit?.exitCode ?? 0;
      out.push(
        { kind: "cancel", id: "restart" },
        { kind: "say", text: `stopped during the restart backoff; exiting with ${code}` },
        { kind: "exit", code },
      );
      return { ...state, master: { phase: "done", exitCode: code } };
    }
    case "up":
      break;
  }
  if (stops === 1) {
    const seconds = Math.round(config.gracefulTimeoutMs / 1000);
    out.push({
      kind: "say",
      text: `${signal}: stopping gunicorn gracefully (TERM to the master; up to ${seconds} s for in-flight requests; again for a quick stop)`,
    });
    stopGracefully(m.pid, at, config, out);
    out.push({ kind: "notify", message: "STOPPING=1" });
    // Workers still booting are killed once the master is stopping ("Handling signal: term"), or after
    // STOP_BOOTING_MS without that line: killed earlier, the master would fork their replacements and
    // then wait graceful_timeout for imports that may never end.
    out.push({ kind: "schedule", id: "stop-booting", atMs: at.atMs + STOP_BOOTING_MS });
  } else if (stops === 2) {
    // The master ignores signals while it waits for its workers in a graceful stop, so the quick stop
    // goes to the workers themselves: QUIT makes each one exit at once, dropping its requests.
    const workers = new Set([
      ...liveWorkers(state.watch),
      ...(state.watch.lastSample?.workers.map((w) => w.pid) ?? []),
    ]);
    out.push({
      kind: "say",
      text: `${signal} again: quick stop (QUIT to ${workers.size} worker(s), in-flight requests are dropped; once more to kill)`,
    });
    for (const pid of workers) out.push({ kind: "signal", target: pid, signal: "SIGQUIT" });
    out.push({ kind: "signal", target: m.pid, signal: "SIGINT" });
  } else {
    out.push(
      { kind: "say", text: `${signal} a third time: killing gunicorn` },
      { kind: "signal", target: -m.pid, signal: "SIGKILL" },
    );
  }
  return state;
}

/** On a graceful stop, once: kills the workers still booting (they hold no request). */
function killBooting(state: LoopState, out: LoopCommand[]): LoopState {
  if (state.stops === 0 || state.bootingKilled || state.master.phase !== "up") return state;
  const booting = bootingWorkers(state.watch);
  for (const pid of booting) out.push({ kind: "signal", target: pid, signal: "SIGKILL" });
  if (booting.length > 0)
    out.push({
      kind: "say",
      text: `killed ${booting.length} worker(s) still booting (${booting.join(", ")}): they hold no request`,
    });
  out.push({ kind: "cancel", id: "stop-booting" });
  return { ...state, bootingKilled: true };
}

function onTimer(state: LoopState, id: TimerId, out: LoopCommand[]): LoopState {
  const m = state.master;
  if (id === "stop-booting") return killBooting(state, out);
  if (id === "restart") {
    if (m.phase !== "backoff") return state;
    out.push({ kind: "spawn" });
    return { ...state, master: { phase: "spawning" } };
  }
  if (m.phase === "up") {
    out.push(
      { kind: "say", text: "gunicorn did not stop in time: killing its process group" },
      { kind: "signal", target: -m.pid, signal: "SIGKILL" },
    );
  }
  return state;
}

function onOomScore(
  state: LoopState,
  { pid, value, error }: { pid: number; value: number; error: string | null },
  out: LoopCommand[],
): LoopState {
  const m = state.master;
  if (m.phase === "up" && m.pid === pid) {
    const outcome = masterScoreOutcome(value, error);
    if (outcome.next !== null) out.push({ kind: "set_oom_score", pid, value: outcome.next });
    if (state.masterScoreSaid || outcome.text === null) return state;
    out.push({ kind: "say", text: outcome.text });
    return { ...state, masterScoreSaid: true };
  }
  const notes: LoopCommand[] = [];
  const watch = noteWorkerScore(state.watch, pid, error, notes);
  out.push(...notes);
  return { ...state, watch };
}
