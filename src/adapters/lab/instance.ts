/**
 * One (tier, config) of the lab: gunicorn in a fresh sandbox, memory sampled every 250 ms, the
 * scenarios run in order against the same instance (startup is its boot), one cell per scenario with
 * the counters of its own window (OOM kills, timeouts, deaths, requests, peak memory), then everything
 * stopped and removed.
 */
import { isGwardenError } from "../../core/error.js";
import { judge, skipReason, timings, type ScenarioSettings } from "../../core/lab/scenarios.js";
import type {
  CellResult,
  InstanceTrace,
  LabInstanceSpec,
  MemoryPoint,
  ScenarioName,
} from "../../core/lab/types.js";
import { runScenario, type ScenarioOutcome } from "./scenarios.js";
import { startOnBoxPostgres } from "./postgres.js";
import { withDatabaseUrl, type InstanceLaunch } from "./launch.js";
import { evictAppFiles, type EvictTarget } from "./page-cache.js";
import {
  liveReady,
  startSandboxedGunicorn,
  type PreparedService,
  type SandboxedGunicorn,
} from "../sandbox/sandboxed-gunicorn.js";
import type { Sandbox } from "../sandbox/cgroup-sandbox.js";

export interface InstanceRun {
  spec: LabInstanceSpec;
  launch: InstanceLaunch;
  settings: ScenarioSettings;
  /** Called after each cell (progress, partial results). */
  onCell: (cell: CellResult) => void;
  /** Called with the live instance, so an interrupt can stop it. */
  onStart?: (instance: SandboxedGunicorn) => void;
  /** True once the run is interrupted: no further scenario starts. */
  interrupted: () => boolean;
  /** Drops the app's files from the page cache before the instance starts (default: evictAppFiles). */
  evict?: (target: EvictTarget) => Promise<number>;
}

const SAMPLE_MS = 250;
const MAX_CELL_LOG_LINES = 2000;

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

function baseCell(spec: LabInstanceSpec, scenario: ScenarioName, startedAt: number): CellResult {
  return {
    tierBytes: spec.tierBytes,
    cpus: spec.cpus,
    config: spec.config.name,
    configLabel: spec.config.label,
    scenario,
    workerTimeouts: 0,
    oomKills: 0,
    failedRequests: 0,
    requests: 0,
    startupSeconds: null,
    rps: null,
    p50Ms: null,
    p99Ms: null,
    peakMemoryBytes: null,
    workerDeaths: 0,
    expectedWorkers: spec.config.workers,
    concurrency: 0,
    round: spec.round,
    passed: false,
    skipped: false,
    note: "",
    startedAt: round(startedAt, 1),
    endedAt: round(startedAt, 1),
    events: [],
    log: [],
  };
}

/** Runs every scenario of one (tier, config); returns the cells and the memory/event trace. */
export async function runInstance(run: InstanceRun): Promise<{ cells: CellResult[]; trace: InstanceTrace }> {
  const { spec, launch, settings } = run;
  const memory: MemoryPoint[] = [];
  const trace: InstanceTrace = {
    tierBytes: spec.tierBytes,
    config: spec.config.name,
    configLabel: spec.config.label,
    memory,
    events: [],
    marks: [],
  };
  const cells: CellResult[] = [];
  const emit = (cell: CellResult): void => {
    cells.push(cell);
    run.onCell(cell);
  };
  let instance: SandboxedGunicorn;
  const label = `${spec.config.name} at ${Math.round(spec.tierBytes / 1048576)} MiB`;
  const database = launch.database ?? null;
  const prepare =
    database === null
      ? undefined
      : async (sandbox: Sandbox): Promise<PreparedService> => {
          const pg = await startOnBoxPostgres({
            template: database.template,
            wrap: sandbox.wrap,
            settings: database.settings,
            label,
          });
          return { env: withDatabaseUrl(launch.env, pg.url), stop: () => pg.stop() };
        };
  // a cold page cache for the app's files, so no instance inherits what an earlier one paid for reading
  const uncached = await (run.evict ?? evictAppFiles)(launch).then(
    () => null,
    (error: Error) =>
      `the app's files were not evicted from the page cache (${error.message || String(error)}): peak memory may be low`,
  );
  try {
    instance = await startSandboxedGunicorn({
      tierBytes: spec.tierBytes,
      cpus: spec.cpus,
      name: `lab-${spec.config.name}`.slice(0, 40),
      ...launch,
      label,
      ...(prepare ? { prepare } : {}),
    });
  } catch (error) {
    if (!isGwardenError(error) || error.code === "E_GUNICORN_MISSING" || error.code === "E_CGROUP")
      throw error;
    for (const scenario of spec.scenarios)
      emit({ ...baseCell(spec, scenario, 0), note: `gunicorn did not start: ${error.message}` });
    return { cells, trace };
  }
  run.onStart?.(instance);
  const sampler = setInterval(() => {
    const bytes = instance.sandbox.usageBytes();
    if (bytes !== null) memory.push([round(instance.elapsed(), 2), bytes]);
  }, SAMPLE_MS);
  try {
    const readyMs = (settings.readySeconds ?? timings(settings.quick).readySeconds) * 1000;
    let startupSeconds: number | null = null;
    try {
      await instance.gunicorn.waitUntil((records) => liveReady(records) >= spec.config.workers, readyMs);
      const ready = instance.gunicorn.records
        .filter((r) => r.hook === "post_worker_init")
        .map((r) => r.time)
        .sort((a, b) => a - b);
      startupSeconds = round(ready[spec.config.workers - 1]! - instance.gunicorn.startedAt);
    } catch {
      // Never all ready, or gunicorn exited: the startup cell says so, the other cells show what users get.
    }
    let eventIndex = 0;
    let logIndex = 0;
    let oomBefore = 0;
    let windowStart = 0;
    const close = (cell: CellResult, outcome: ScenarioOutcome | null): CellResult => {
      const events = instance.events.slice(eventIndex);
      const end = instance.elapsed();
      const peaks = memory.filter(([t]) => t >= windowStart).map(([, b]) => b);
      const peakAll = cell.scenario === "startup" ? instance.sandbox.peakBytes() : null;
      const oomNow = instance.sandbox.oomKills();
      const done: CellResult = {
        ...cell,
        workerTimeouts: events.filter((e) => e.kind === "worker_timeout").length,
        oomKills: oomNow - oomBefore,
        workerDeaths: events.filter(
          (e) =>
            (e.kind === "worker_signal" && e.cause !== "shutdown" && e.cause !== "scale-down") ||
            (e.kind === "worker_exit_code" && e.code !== 0),
        ).length,
        peakMemoryBytes: peakAll ?? (peaks.length === 0 ? null : Math.max(...peaks)),
        endedAt: round(end, 1),
        events,
        log: instance.log.slice(logIndex).slice(-MAX_CELL_LOG_LINES),
        startupSeconds,
      };
      if (outcome?.load) {
        done.requests = outcome.load.requests;
        done.failedRequests = outcome.load.failed;
        done.rps = outcome.load.rps;
        done.p50Ms = outcome.load.p50Ms;
        done.p99Ms = outcome.load.p99Ms;
        done.concurrency = outcome.concurrency;
      }
      if (outcome?.cpu) {
        done.usedCpus = outcome.cpu.usedCpus;
        done.waitCpus = outcome.cpu.waitCpus;
      }
      const ready = outcome === null ? startupSeconds !== null : outcome.ready;
      done.passed = judge(cell.scenario, {
        ...done,
        ready,
        masterAlive: instance.gunicorn.state().phase === "running",
      });
      if (!ready && cell.scenario === "startup")
        done.note = `only ${instance.liveReadyWorkers()} of ${spec.config.workers} workers ready after ${readyMs / 1000} s`;
      eventIndex = instance.events.length;
      logIndex = instance.log.length;
      oomBefore = oomNow;
      windowStart = end;
      return done;
    };
    for (const scenario of spec.scenarios) {
      if (run.interrupted()) break;
      const skip = skipReason(scenario, settings);
      const started = scenario === "startup" ? 0 : instance.elapsed();
      trace.marks.push([round(started, 1), scenario]);
      if (skip !== null) {
        emit({
          ...baseCell(spec, scenario, started),
          skipped: true,
          passed: true,
          note: skip,
          startupSeconds,
        });
        continue;
      }
      if (scenario === "startup") {
        const cell = close({ ...baseCell(spec, scenario, 0) }, null);
        emit(uncached === null ? cell : { ...cell, note: [cell.note, uncached].filter(Boolean).join("; ") });
        continue;
      }
      const needsWorkers = scenario === "lifecycle" || scenario === "oom";
      if (needsWorkers && instance.liveReadyWorkers() < spec.config.workers) {
        const note = `not run: only ${instance.liveReadyWorkers()} of ${spec.config.workers} workers were ready`;
        emit({ ...close(baseCell(spec, scenario, started), null), passed: false, note });
        continue;
      }
      const outcome = await runScenario(scenario, instance, spec, settings);
      emit(close({ ...baseCell(spec, scenario, started), note: outcome.note }, outcome));
    }
  } finally {
    clearInterval(sampler);
    await instance.stop(5_000);
    instance.flushLog();
    trace.events = instance.events.map((e, i) => [
      round(instance.eventTimes[i] ?? 0, 2),
      e.kind,
      e.pid ?? null,
    ]);
  }
  return { cells, trace };
}
