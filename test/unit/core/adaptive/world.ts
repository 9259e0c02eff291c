/**
 * A tiny model of gunicorn for the adaptive policies' tests: recorded figures per tick (working set,
 * backlog, busy slots, per-worker memory) are turned into `AdaptiveInput`s whose worker list follows
 * the signals `decide` sent (a TTIN adds a worker on the next tick, a TTOU removes the oldest, a
 * recycle replaces the pid). Time advances by `tickMs` per tick.
 */
import { adaptiveConfigFromPlan, initialAdaptiveState } from "../../../../src/core/adaptive/config.js";
import { decide } from "../../../../src/core/adaptive/combine.js";
import type {
  AdaptiveConfig,
  AdaptiveInput,
  AdaptiveState,
  Decision,
} from "../../../../src/core/adaptive/types.js";
import type { Plan } from "../../../../src/core/plan/types.js";

export const MiB = 1048576;

/** The plan fields the controller reads, for a 1 GiB box running 3 sync workers (adaptive 1–6). */
export function testPlan(overrides: Partial<Plan> = {}): Plan {
  return {
    workers: 3,
    minWorkers: 1,
    maxWorkers: 6,
    threads: 1,
    workerClass: "sync",
    gracefulTimeout: 30,
    bootDeadline: 10,
    recycleBytes: 200 * MiB,
    memory: { limitBytes: 1024 * MiB, perWorkerBytes: 100 * MiB },
    inputs: { cpus: 1 },
    ...overrides,
  } as Plan;
}

export function testConfig(plan: Partial<Plan> = {}, recycleBytes?: number): AdaptiveConfig {
  return adaptiveConfigFromPlan(testPlan(plan), recycleBytes === undefined ? {} : { recycleBytes });
}

/** What is recorded for one tick; omitted figures keep a calm default. */
export interface Tick {
  /** Working set besides the workers (master, supervisor, cache), default 100 MiB. */
  baseBytes?: number;
  /** Override the whole working set. */
  workingSetBytes?: number | null;
  backlog?: number | null;
  /** Busy slots per worker: a number for all, "all", or a function of the worker's index. */
  busy?: number | "all" | null | ((index: number) => number);
  /** Private memory per worker (default 100 MiB), or a function of the worker's index. */
  uss?: number | ((index: number) => number);
  psi?: AdaptiveInput["psi"];
  swapUsageBytes?: number | null;
  /** Report gunicorn's count through the hook (default true). */
  reportCount?: boolean;
  reloads?: number;
  /** CPUs' worth gunicorn used since the last tick (default unknown). */
  cpuUsed?: number | null;
  /** gunicorn reset its count to this (a HUP) before this tick. */
  resetTo?: number;
}

export interface World {
  config: AdaptiveConfig;
  state: AdaptiveState;
  pids: number[];
  count: number;
  atMs: number;
  decisions: Decision[];
  inputs: AdaptiveInput[];
}

export function newWorld(config: AdaptiveConfig, startMs = 0): World {
  const pids = Array.from({ length: config.baseWorkers }, (_, i) => 100 + i);
  return {
    config,
    state: initialAdaptiveState(config),
    pids,
    count: config.baseWorkers,
    atMs: startMs,
    decisions: [],
    inputs: [],
  };
}

let nextPid = 1000;

/** Builds the input of one tick from the world and the recorded figures. */
export function inputOf(world: World, tick: Tick): AdaptiveInput {
  while (world.pids.length < world.count) world.pids.push(nextPid++);
  while (world.pids.length > world.count) world.pids.shift();
  const ussOf = (i: number): number =>
    typeof tick.uss === "function" ? tick.uss(i) : (tick.uss ?? 100 * MiB);
  const workers = world.pids.map((pid, i) => ({
    pid,
    uss: ussOf(i),
    busy:
      tick.busy === null
        ? null
        : tick.busy === "all"
          ? world.config.threads
          : typeof tick.busy === "function"
            ? tick.busy(i)
            : (tick.busy ?? 0),
    ready: true,
  }));
  const sum = workers.reduce((s, w) => s + (w.uss ?? 0), 0);
  return {
    atMs: world.atMs,
    limitBytes: world.config.limitBytes,
    workingSetBytes:
      tick.workingSetBytes === undefined ? (tick.baseBytes ?? 100 * MiB) + sum : tick.workingSetBytes,
    swapUsageBytes: tick.swapUsageBytes ?? null,
    psi: tick.psi ?? null,
    highEvents: null,
    maxEvents: null,
    backlogQueued: tick.backlog === undefined ? 0 : tick.backlog,
    workers,
    gunicornWorkers: tick.reportCount === false ? null : world.count,
    reloads: tick.reloads ?? 0,
    cpuUsed: tick.cpuUsed ?? null,
  };
}

/** Runs one tick: decide, then apply the signals to the modelled gunicorn. */
export function step(world: World, tick: Tick = {}, tickMs = 1000): Decision {
  if (tick.resetTo !== undefined) world.count = tick.resetTo;
  const input = inputOf(world, tick);
  const decision = decide(world.state, input, world.config);
  world.state = decision.state;
  for (const action of decision.actions) {
    if (action.kind === "ttin") world.count++;
    else if (action.kind === "ttou") world.count = Math.max(1, world.count - 1);
    else world.pids = world.pids.filter((pid) => pid !== action.pid);
  }
  world.decisions.push(decision);
  world.inputs.push(input);
  world.atMs += tickMs;
  return decision;
}

/** Runs `n` ticks of the same figures; returns the decisions. */
export function steps(world: World, n: number, tick: Tick | ((i: number) => Tick) = {}): Decision[] {
  return Array.from({ length: n }, (_, i) => step(world, typeof tick === "function" ? tick(i) : tick));
}

/** Every action kind of a list of decisions, flattened. */
export function kinds(decisions: readonly Decision[]): string[] {
  return decisions.flatMap((d) => d.actions.map((a) => a.kind));
}
