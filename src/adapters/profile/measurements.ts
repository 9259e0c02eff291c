/**
 * The measurements `profile` adds to its runs (schema 2): the requests timed against the worker's CPU
 * with one worker (the plain run) and with N preloaded workers, kept busy, and the exit spike of a
 * preloaded worker. Each is a `measure` step for runProfileMode.
 */
import { totalmem } from "node:os";
import type { RequestSpec } from "../../core/profile/request-spec.js";
import { createSandbox, type Sandbox } from "../sandbox/cgroup-sandbox.js";
import { timeRequests } from "./cpu-timing.js";
import { cgroupMemory, measureExitSpike, pssMemory } from "./exit-spike.js";
import type { MeasureContext } from "./profile-runs.js";

/** Seconds each request kind is timed at concurrency 1, and the mixed load at concurrency N. */
const SINGLE_SECONDS = 1.5;
const CONCURRENT_SECONDS = 2;

/** The plain run's step: every request kind timed alone against the one worker. */
export function timeEachRequest(requests: readonly RequestSpec[]): (run: MeasureContext) => Promise<void> {
  return async ({ host, port, workerPids, result }) => {
    const timings = [];
    for (const request of requests) {
      const timing = await timeRequests({
        host,
        port,
        requests: [request],
        workerPids,
        seconds: SINGLE_SECONDS,
      });
      if (timing !== null) timings.push(timing);
    }
    result.cpu = timings;
  };
}

/** The preload run's step: the mixed requests against the N workers, then one worker retired. */
export function timeMixedThenRetire(
  requests: readonly RequestSpec[],
  sandbox: Sandbox | null,
): (run: MeasureContext) => Promise<void> {
  return async ({ gunicorn, host, port, workerPids, result }) => {
    const mixed = await timeRequests({
      host,
      port,
      requests,
      workerPids,
      seconds: CONCURRENT_SECONDS,
    });
    result.cpu = mixed === null ? [] : [mixed];
    const victim = workerPids[0];
    if (victim === undefined) return;
    result.exitSpike = await measureExitSpike({
      victim,
      memory: sandbox === null ? pssMemory(gunicorn.pid) : cgroupMemory(sandbox),
      records: () => gunicorn.records,
      alive: (pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      },
      kill: (pid, signal) => process.kill(pid, signal),
    });
  };
}

/**
 * A memory cgroup for the preload run when this process may make one (root, a memory controller):
 * no limit that matters (the host's memory), swap left as it is. Null otherwise — the PSS sum is used.
 */
export async function profileSandbox(): Promise<Sandbox | null> {
  if (process.getuid?.() !== 0) return null;
  try {
    return await createSandbox({ memoryBytes: totalmem(), closeSwap: false, name: "profile" });
  } catch {
    return null;
  }
}
