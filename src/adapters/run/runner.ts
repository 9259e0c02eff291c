/**
 * `gwarden run`'s runner: the thin edge around the pure loop (src/core/run/loop-step.ts). It turns what
 * happens — gunicorn's hook records and log, samples of /proc and the cgroup, signals to gwarden, timers
 * — into inputs, one at a time, and carries out the commands the step returns: spawn the master, send
 * signals, set oom_score_adj, record events (ring, JSONL log, counters), say lines, schedule timers,
 * notify systemd, exit. It also serves the live views. Resolves with gwarden's exit code.
 */
import { GwardenError } from "../../core/error.js";
import type { HookRecord } from "../../core/events/hook-record.js";
import type { EventKind, GunicornEvent } from "../../core/events/types.js";
import { createLogParser, type LogParser } from "../../core/log/log-parser.js";
import { adaptiveView } from "../../core/adaptive/view.js";
import { RingBuffer } from "../../core/ring-buffer.js";
import { loopSnapshot } from "../../core/run/loop-snapshot.js";
import { initialLoopState, wantsFreshMemory, type LoopState } from "../../core/run/loop-state.js";
import { step } from "../../core/run/loop-step.js";
import type { LoopCommand, LoopConfig, LoopInput, TimerId } from "../../core/run/loop-types.js";
import type { EventLog } from "./event-log.js";
import { startGunicorn, type GunicornProcess } from "./gunicorn-process.js";
import { createLineRelay } from "./output-relay.js";
import { nodePlatform, type Platform } from "../platform/platform.js";
import type { PassedSignal } from "../platform/shutdown.js";
import { createSampler, DEFAULT_MEMORY_INTERVAL_MS, type Sampler } from "./sampler.js";
import { detectResources, groupDetector } from "../resources/resources.js";
import { kernelEventEnv } from "../../core/run/kernel-events.js";
import { ownsMemoryGroup } from "./group-ownership.js";
import { openWorkerStatsDir } from "./worker-stats.js";
import { cgroupFigures, type CgroupFigures } from "../../core/sample/figures.js";

export interface RunnerOptions {
  config: LoopConfig;
  /** What to launch: the argv prefix, gunicorn's arguments (without -c), the config text, the environment additions. */
  launch: { launcher: string[]; args: string[]; conf: string; cwd?: string; env: Record<string, string> };
  sampleIntervalMs: number;
  eventLog: EventLog | null;
  /** The HTTP endpoint, or null for --no-http. Started before gunicorn so a bind error stops everything first. */
  http: { listen: string; token: string | null } | null;
  /** Called once the endpoint listens (its URL). */
  onListening?: (url: string) => void;
  /** Every hook record is passed here too (the lab's channel, when gwarden runs under it). */
  forwardRecord?: ((record: HookRecord) => void) | null;
  /** systemd's notify socket, when gwarden runs as a Type=notify service. */
  notify?: ((message: string) => void) | null;
}

export interface RunnerIo {
  platform: Platform;
  /** gwarden's own line (the caller prefixes it). */
  say: (text: string) => void;
  /** gunicorn's stderr, passed through unchanged. */
  writeStderr: (text: string) => void;
  /** The memory cgroup of this process (the master's: gwarden may run outside it), resolved now and read later. */
  groupOf: (pid: number) => () => CgroupFigures | null;
}

/** gwarden itself: the kernel should kill a worker, then the master, before it. */
export const SUPERVISOR_OOM_SCORE_ADJ = -900;

const PASSED: readonly PassedSignal[] = ["SIGHUP", "SIGTTIN", "SIGTTOU", "SIGUSR1"];

function defaultIo(): RunnerIo {
  return {
    platform: nodePlatform(),
    say: (text) => process.stderr.write(`gwarden: ${text}\n`),
    writeStderr: (text) => process.stderr.write(text),
    groupOf: (pid) => {
      const detect = groupDetector(pid);
      return () => cgroupFigures(detect());
    },
  };
}

/** Supervises gunicorn until it is stopped or gives up; resolves with gwarden's exit code. */
export async function runSupervisor(options: RunnerOptions, io: RunnerIo = defaultIo()): Promise<number> {
  const { platform, say } = io;
  const { config } = options;
  let state: LoopState = initialLoopState(config);
  const ring = new RingBuffer<GunicornEvent>(2000);
  const counts: Partial<Record<EventKind, number>> = {};
  const timers = new Map<TimerId, () => void>();
  const queue: LoopInput[] = [];
  let draining = false;
  let logFailed = false;
  const live: { gunicorn: GunicornProcess | null; sampler: Sampler | null } = {
    gunicorn: null,
    sampler: null,
  };
  let settle: { resolve: (code: number) => void; reject: (error: unknown) => void } | null = null;
  const done = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));

  // The workers' counters live in a tmpfs directory named to gunicorn; the master's kernel-event watcher
  // listens for what adaptive control's pressure levels care about (see core/run/kernel-events.ts).
  const stats = openWorkerStatsDir();
  const own = detectResources();
  const launchEnv = {
    ...options.launch.env,
    ...stats.env,
    ...(config.adaptive === null
      ? {}
      : kernelEventEnv({
          version: own.cgroup.memoryController,
          limitBytes: own.memory.limitBytes,
          owned: ownsMemoryGroup(own, platform),
          pressure: config.adaptive.pressure,
        })),
  };
  let samples = 0;
  const at = () => ({ atMs: platform.now(), time: platform.wallClock().toISOString() });
  const dispatch = (input: LoopInput): void => {
    queue.push(input);
    if (draining) return;
    draining = true;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const result = step(state, next, config);
        state = result.state;
        for (const command of result.commands) execute(command);
      }
    } finally {
      draining = false;
    }
  };

  function recordEvent(event: GunicornEvent): void {
    ring.push(event);
    counts[event.kind] = (counts[event.kind] ?? 0) + 1;
    if (options.eventLog === null || logFailed) return;
    try {
      options.eventLog.append(event);
    } catch (error) {
      logFailed = true;
      say(`warning: event log disabled: ${(error as Error).message}`);
    }
  }

  let group: () => CgroupFigures | null = () => null;

  function watchMaster(pid: number, ports: number[]): void {
    live.sampler?.stop();
    live.sampler = createSampler({
      masterPid: pid,
      ports,
      intervalMs: options.sampleIntervalMs,
      configuredBacklog: config.plan?.backlog ?? null,
      now: () => platform.now(),
      readCgroup: group,
      // Adaptive control reads each worker's private memory every tick (~0.7 ms per process) only
      // while memory is near one of its thresholds; otherwise the sampler's 5 s refresh.
      memoryIntervalMs: () =>
        wantsFreshMemory(state) ? options.sampleIntervalMs : DEFAULT_MEMORY_INTERVAL_MS,
      readStats: (pids) => stats.read(pids),
      onSample: (sample) => {
        // Files of workers that died without their exit hooks (a SIGKILL) go now and then.
        if (++samples % 30 === 0) stats.prune();
        dispatch({ kind: "sample", sample, atMs: sample.atMs, time: sample.time });
      },
      onError: (error) => say(`warning: sampling failed: ${(error as Error).message}`),
    });
    live.sampler.start();
  }

  async function spawnMaster(): Promise<void> {
    let parser: LogParser = createLogParser();
    const feed = (events: GunicornEvent[]) => events.length > 0 && dispatch({ kind: "log", events, ...at() });
    const relay = createLineRelay(io.writeStderr, (line) => feed(parser.feed(line).map((p) => p.event)));
    try {
      live.gunicorn = await startGunicorn(
        {
          ...options.launch,
          env: launchEnv,
          stdout: "inherit",
          onRecord: (record) => {
            options.forwardRecord?.(record);
            dispatch({ kind: "hook", record, ...at() });
          },
          onStderr: (text) => relay.push(text),
          label: "gwarden run",
        },
        platform,
      );
    } catch (error) {
      dispatch({ kind: "spawn_failed", message: (error as Error).message, ...at() });
      return;
    }
    const current = live.gunicorn;
    group = io.groupOf(current.pid);
    dispatch({ kind: "spawned", pid: current.pid, oomKills: group()?.oomKills ?? null, ...at() });
    const exit = await current.exited;
    live.sampler?.stop();
    relay.end();
    feed(parser.end().map((p) => p.event));
    parser = createLogParser();
    dispatch({
      kind: "master_exit",
      pid: current.pid,
      exit,
      stderrTail: current.stderrTail(),
      oomKills: group()?.oomKills ?? null,
      ...at(),
    });
  }

  function execute(command: LoopCommand): void {
    switch (command.kind) {
      case "spawn":
        void spawnMaster();
        return;
      case "watch_master":
        watchMaster(command.pid, command.ports);
        return;
      case "signal":
        platform.kill(command.target, command.signal);
        return;
      case "set_oom_score": {
        const error = platform.writeText(`/proc/${command.pid}/oom_score_adj`, `${command.value}\n`);
        queue.push({ kind: "oom_score", pid: command.pid, value: command.value, error, ...at() });
        return;
      }
      case "record":
        recordEvent(command.event);
        return;
      case "say":
        say(command.text);
        return;
      case "schedule":
        timers.get(command.id)?.();
        timers.set(
          command.id,
          platform.after(command.atMs - platform.now(), () =>
            dispatch({ kind: "timer", id: command.id, ...at() }),
          ),
        );
        return;
      case "cancel":
        timers.get(command.id)?.();
        timers.delete(command.id);
        return;
      case "sample_now":
        live.sampler?.sampleOnce();
        return;
      case "notify":
        options.notify?.(command.message);
        return;
      case "exit":
        settle?.resolve(command.code);
        return;
      case "fail":
        settle?.reject(new GwardenError(command.code, command.message, { hint: command.hint }));
        return;
    }
  }

  const http = options.http
    ? await import("../http/http-server.js").then((m) =>
        m.startHttpServer({
          listen: options.http!.listen,
          token: options.http!.token,
          getSnapshot: () => ({
            ...loopSnapshot(state, {
              plan: config.plan,
              eventsByKind: counts,
              time: platform.wallClock().toISOString(),
              selfPid: platform.pid,
            }),
            adaptive:
              state.adaptive !== null && config.adaptive !== null
                ? adaptiveView(state.adaptive.state, config.adaptive)
                : null,
          }),
          getEvents: (since) => ring.since(since, 1000),
        }),
      )
    : null;
  if (http) options.onListening?.(http.url);

  const selfScore = platform.writeText(
    `/proc/${platform.pid}/oom_score_adj`,
    `${SUPERVISOR_OOM_SCORE_ADJ}\n`,
  );
  if (selfScore !== null && selfScore !== "EACCES")
    say(`warning: cannot lower gwarden's own oom_score_adj (${selfScore})`);

  const unsubscribe = [
    platform.shutdown.onStop((signal) => dispatch({ kind: "signal", signal, ...at() })),
    ...PASSED.map((signal) =>
      platform.shutdown.on(signal, () => dispatch({ kind: "signal", signal, ...at() })),
    ),
  ];
  try {
    dispatch({ kind: "begin", ...at() });
    return await done;
  } finally {
    for (const off of unsubscribe) off();
    for (const cancel of timers.values()) cancel();
    live.sampler?.stop();
    await live.gunicorn?.stop(1000);
    await http?.close();
    options.eventLog?.close();
    stats.close();
  }
}
