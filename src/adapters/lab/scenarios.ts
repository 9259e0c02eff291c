/**
 * The scenarios' actions against a running sandboxed gunicorn: loads through the child load generator,
 * HUP / TTOU / TTIN with waits for the workers to come back, one memory-hog request and the wait for
 * the service to recover. Each returns what it saw; lab-instance.ts turns that into a cell.
 */
import { hogPath, scenarioLoad, timings, type ScenarioSettings } from "../../core/lab/scenarios.js";
import type { LabConfig, LabInstanceSpec, ScenarioName } from "../../core/lab/types.js";
import { probe } from "../http/http-probe.js";
import { runLabLoad, startLoad, type LabLoadResult } from "../load/load.js";
import { schedBetween, schedByPid } from "../resources/schedstat.js";
import { liveReadyPids, type SandboxedGunicorn } from "../sandbox/sandboxed-gunicorn.js";

export interface ScenarioOutcome {
  load: LabLoadResult | null;
  /** Loads only: CPUs the sandbox's processes used, and CPUs' worth of their time spent waiting for one. */
  cpu?: { usedCpus: number; waitCpus: number };
  concurrency: number;
  /** Every expected worker ready at the end (came back after signals / the hog). */
  ready: boolean;
  note: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round2 = (v: number) => Math.round(v * 100) / 100;

/** Polls `test` every 100 ms until it holds or `ms` pass; resolves with the seconds it took, or null. */
async function waitFor(test: () => boolean, ms: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (test()) return Math.round((performance.now() - started) / 100) / 10;
    await sleep(100);
  }
  return test() ? Math.round((performance.now() - started) / 100) / 10 : null;
}

function alive(instance: SandboxedGunicorn): boolean {
  return instance.gunicorn.state().phase === "running";
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already: the scenario reports what did not come back.
  }
}

/** The master, or `gwarden run` in front of it (which passes HUP, TTIN and TTOU on). */
function signalMaster(instance: SandboxedGunicorn, signal: NodeJS.Signals): void {
  signalPid(instance.gunicorn.pid, signal);
}

/** Workers that ever reported ready. */
function readyCount(instance: SandboxedGunicorn): number {
  return instance.gunicorn.records.filter((r) => r.hook === "post_worker_init").length;
}

async function lifecycle(
  instance: SandboxedGunicorn,
  config: LabConfig,
  settings: ScenarioSettings,
): Promise<ScenarioOutcome> {
  const shape = scenarioLoad("lifecycle", config, settings)!;
  const waitMs = timings(settings.quick).recoverySeconds * 1000;
  const background = startLoad(instance.origin, shape);
  const steps: string[] = [];
  let ok = true;
  const expect = (what: string, seconds: number | null): void => {
    steps.push(seconds === null ? `${what}: not back within ${waitMs / 1000} s` : `${what} in ${seconds} s`);
    if (seconds === null) ok = false;
  };
  await sleep(500);
  const readyBefore = readyCount(instance);
  signalMaster(instance, "SIGHUP");
  expect(
    `HUP: ${config.workers} new workers ready`,
    await waitFor(
      () =>
        readyCount(instance) >= readyBefore + config.workers &&
        instance.liveReadyWorkers() === config.workers,
      waitMs,
    ),
  );
  // Recycling: max_requests (and gwarden's recycling by memory) retire a worker the way TERM does: it
  // stops accepting, finishes its requests, exits, and the master replaces it. Load never reaches
  // max_requests in a scenario this short, so the lab retires one worker itself.
  const victim = liveReadyPids(instance.gunicorn.records)[0];
  if (victim !== undefined) {
    const readyBeforeRecycle = readyCount(instance);
    signalPid(victim, "SIGTERM");
    expect(
      `recycle (TERM to worker ${victim}): replaced`,
      await waitFor(
        () => readyCount(instance) > readyBeforeRecycle && instance.liveReadyWorkers() === config.workers,
        waitMs,
      ),
    );
  }
  if (config.workers > 1) {
    signalMaster(instance, "SIGTTOU");
    expect(
      `TTOU: ${config.workers - 1} live`,
      await waitFor(() => instance.liveReadyWorkers() === config.workers - 1, waitMs),
    );
    signalMaster(instance, "SIGTTIN");
    expect(
      `TTIN: ${config.workers} live`,
      await waitFor(() => instance.liveReadyWorkers() === config.workers, waitMs),
    );
  }
  await sleep(1000);
  background.stop();
  const load = await background.result;
  return { load, concurrency: shape.connections, ready: ok && alive(instance), note: steps.join("; ") };
}

async function oom(
  instance: SandboxedGunicorn,
  config: LabConfig,
  settings: ScenarioSettings,
  tierBytes: number,
): Promise<ScenarioOutcome> {
  const shape = scenarioLoad("oom", config, settings)!;
  const waitMs = timings(settings.quick).recoverySeconds * 1000;
  const background = startLoad(instance.origin, shape);
  await sleep(500);
  const port = Number(new URL(instance.origin).port);
  const path = hogPath(settings.hogUrl!, tierBytes);
  const hog = await probe("127.0.0.1", port, path, { timeoutMs: waitMs });
  const hogText =
    hog.status === null ? `hog ${path}: no answer (${hog.error ?? "error"})` : `hog ${path}: ${hog.status}`;
  const recovered = await waitFor(
    () => alive(instance) && instance.liveReadyWorkers() >= config.workers,
    waitMs,
  );
  let healthy = false;
  if (recovered !== null)
    healthy = (await probe("127.0.0.1", port, settings.healthUrl, { timeoutMs: 10_000 })).ok;
  await sleep(1000);
  background.stop();
  const load = await background.result;
  const master = alive(instance) ? "master alive" : "MASTER DIED";
  const service =
    recovered === null
      ? `workers not back within ${waitMs / 1000} s`
      : `all ${config.workers} workers back in ${recovered} s${healthy ? ", health OK" : ", health check FAILED"}`;
  return {
    load,
    concurrency: shape.connections,
    ready: recovered !== null && healthy,
    note: `${hogText}; ${master}; ${service}`,
  };
}

/** Runs one scenario's action (startup has none: the instance's boot is the scenario). */
export async function runScenario(
  scenario: ScenarioName,
  instance: SandboxedGunicorn,
  spec: Pick<LabInstanceSpec, "config" | "tierBytes" | "connections">,
  settings: ScenarioSettings,
): Promise<ScenarioOutcome> {
  const { config } = spec;
  if (scenario === "lifecycle") return lifecycle(instance, config, settings);
  if (scenario === "oom") return oom(instance, config, settings, spec.tierBytes);
  const shape = scenarioLoad(scenario, config, settings, spec.connections);
  if (shape === null)
    return { load: null, concurrency: 0, ready: instance.liveReadyWorkers() >= config.workers, note: "" };
  // What the sandbox really got: its CPU quota, or only a share of a busy host (then its rps is the host's).
  const before = schedByPid("", instance.sandbox.pids());
  const started = performance.now();
  const load = await runLabLoad(instance.origin, shape);
  const spent = schedBetween(before, schedByPid("", instance.sandbox.pids()));
  const seconds = (performance.now() - started) / 1000;
  const cpu = {
    usedCpus: round2(spent.cpuNs / 1e9 / seconds),
    waitCpus: round2(spent.runqueueNs / 1e9 / seconds),
  };
  const statuses = Object.entries(load.statuses)
    .filter(([code]) => !code.startsWith("2"))
    .map(([code, n]) => `${n}× ${code}`);
  const errors = load.requests - Object.values(load.statuses).reduce((a, b) => a + b, 0);
  const failedText =
    load.requests === 0
      ? `no request completed in ${shape.seconds ?? "?"} s`
      : load.failed === 0
        ? ""
        : `failures: ${[...statuses, ...(errors > 0 ? [`${errors} without response`] : [])].join(", ") || load.error || "unknown"}`;
  return {
    load,
    concurrency: shape.connections,
    ready: alive(instance),
    cpu,
    note: [
      `${shape.connections} connection(s), ${shape.paths.join(" + ")}`,
      `CPU used ${cpu.usedCpus}, waiting for a CPU ${cpu.waitCpus}`,
      failedText,
    ]
      .filter((t) => t !== "")
      .join("; "),
  };
}
