/**
 * A harness for the run loop's tests: the pure step with a fake clock. Inputs are fed as gunicorn,
 * the sampler and the OS would produce them; every command the step returns is kept, with helpers to
 * read the recorded events, the lines said and the signals sent.
 */
import type { HookRecord } from "../../../../src/core/events/hook-record.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { createLogParser } from "../../../../src/core/log/log-parser.js";
import { UNKNOWN_MEMORY } from "../../../../src/core/sample/figures.js";
import type { ProcessSample, Sample } from "../../../../src/core/sample/sample.js";
import type { WorkerStats } from "../../../../src/core/sample/worker-stats.js";
import { initialLoopState, type LoopState } from "../../../../src/core/run/loop-state.js";
import { step } from "../../../../src/core/run/loop-step.js";
import type { LoopCommand, LoopConfig, LoopInput } from "../../../../src/core/run/loop-types.js";
import { DEFAULT_RESTART_POLICY } from "../../../../src/core/run/restart-policy.js";

export const MiB = 1048576;
const EPOCH = Date.UTC(2026, 11, 7, 5, 0, 0);

type InputBody = LoopInput extends infer I ? (I extends LoopInput ? Omit<I, "atMs" | "time"> : never) : never;

export interface WorkerFigures {
  pid: number;
  uss?: number;
  /** Requests in flight, from the worker's counters (absent: no counters). */
  busy?: number;
  /** Cumulative CPU seconds (default 0). */
  cpu?: number;
}

/** A worker's shared-memory counters with `inFlight` requests in flight. */
function counters(pid: number, inFlight: number): WorkerStats {
  return {
    pid,
    ready: true,
    guard: false,
    retiring: false,
    requests: 10,
    inFlight,
    slots: 1,
    oldestStart: inFlight > 0 ? EPOCH / 1000 : null,
    lastEnd: null,
    rssBytes: null,
    privateBytes: null,
    budgetBytes: null,
    sharedBytes: null,
    forkedAt: EPOCH / 1000,
    updatedAt: EPOCH / 1000,
    rollups: 0,
  };
}

export function config(overrides: Partial<LoopConfig> = {}): LoopConfig {
  return {
    plan: null,
    bootDeadlineMs: 5000,
    gracefulTimeoutMs: 30_000,
    restartPolicy: DEFAULT_RESTART_POLICY,
    adaptive: null,
    watchdogMs: null,
    ...overrides,
  };
}

function proc(pid: number, uss = 40 * MiB): ProcessSample {
  return {
    pid,
    procState: "S",
    startTimeTicks: 1,
    memory: { ...UNKNOWN_MEMORY, rss: uss + 10 * MiB, uss },
    cpuSeconds: 0,
    cpuPercent: 0,
  };
}

export function world(loopConfig: LoopConfig = config()) {
  let state: LoopState = initialLoopState(loopConfig);
  let now = 0;
  const commands: LoopCommand[] = [];
  const parser = createLogParser();
  const time = () => new Date(EPOCH + now).toISOString();

  const feed = (input: InputBody): LoopCommand[] => {
    const result = step(state, { ...input, atMs: now, time: time() } as LoopInput, loopConfig);
    state = result.state;
    commands.push(...result.commands);
    return result.commands;
  };

  return {
    get state() {
      return state;
    },
    commands,
    feed,
    advance(ms: number) {
      now += ms;
    },
    /** `begin` then `spawned`: the master runs with this pid. */
    start(master = 10, oomKills: number | null = 0) {
      feed({ kind: "begin" });
      return feed({ kind: "spawned", pid: master, oomKills });
    },
    hook(hook: HookRecord["hook"], pid: number, extra: Partial<HookRecord> = {}) {
      return feed({ kind: "hook", record: { hook, pid, ppid: 10, time: (EPOCH + now) / 1000, ...extra } });
    },
    log(line: string) {
      return feed({ kind: "log", events: parser.feed(line).map((p) => p.event) });
    },
    /** Workers boot and become ready through the hooks. */
    boot(...pids: number[]) {
      for (const pid of pids) {
        this.hook("post_fork", pid);
        this.hook("post_worker_init", pid);
      }
    },
    sample(
      master: number | null,
      workers: (number | WorkerFigures)[],
      extra: { oomKills?: number; workingSet?: number; limit?: number; backlog?: number } = {},
    ) {
      const sample: Sample = {
        time: time(),
        atMs: now,
        durationMs: 1,
        master: master === null ? null : proc(master, MiB),
        workers: workers.map((w) =>
          typeof w === "number"
            ? proc(w)
            : {
                ...proc(w.pid, w.uss),
                cpuSeconds: w.cpu ?? 0,
                ...(w.busy === undefined ? {} : { stats: counters(w.pid, w.busy) }),
              },
        ),
        cgroup: {
          limitBytes: extra.limit ?? 1024 * MiB,
          usageBytes: extra.workingSet ?? 300 * MiB,
          workingSetBytes: extra.workingSet ?? 300 * MiB,
          swapUsageBytes: 0,
          memoryPressure: null,
          oomKills: extra.oomKills ?? 0,
        },
        backlog: extra.backlog === undefined ? null : { queued: extra.backlog, max: 128, listeners: 1 },
        self: proc(1, 12 * MiB),
      };
      return feed({ kind: "sample", sample });
    },
    events(): GunicornEvent[] {
      return commands.flatMap((c) => (c.kind === "record" ? [c.event] : []));
    },
    /** `kind:pid:cause` of every recorded event. */
    kinds(): string[] {
      return this.events().map(
        (e) => `${e.kind}:${e.pid ?? ""}:${e.kind === "worker_signal" ? e.cause : ""}`,
      );
    },
    said(): string {
      return commands.flatMap((c) => (c.kind === "say" ? [c.text] : [])).join("\n");
    },
    signals(): [number, string][] {
      return commands.flatMap((c): [number, string][] => (c.kind === "signal" ? [[c.target, c.signal]] : []));
    },
    of<K extends LoopCommand["kind"]>(kind: K): Extract<LoopCommand, { kind: K }>[] {
      return commands.filter((c): c is Extract<LoopCommand, { kind: K }> => c.kind === kind);
    },
  };
}
