/**
 * From one sampler tick (`Sample`, with each worker's busy slots from its counters) and what the hook
 * channel said (readiness, gunicorn's own
 * worker count, reloads) to the `AdaptiveInput` the policies read. Pure.
 */
import type { Sample } from "../sample/sample.js";
import type { AdaptiveInput } from "./types.js";

export interface HookObservations {
  /** Busy request slots per worker pid (the workers' counters); null when unknown. */
  busy: ReadonlyMap<number, number> | null;
  /** Workers whose post_worker_init ran. */
  ready: ReadonlySet<number>;
  /** gunicorn's num_workers from its last `nworkers_changed` record, null when unknown. */
  gunicornWorkers: number | null;
  reloads: number;
}

/** CPUs' worth the master and the workers used over the last interval; null until every one is known. */
function cpuUsed(sample: Sample): number | null {
  const processes = [...(sample.master === null ? [] : [sample.master]), ...sample.workers];
  if (processes.length === 0 || processes.some((p) => p.cpuPercent === null)) return null;
  return processes.reduce((sum, p) => sum + (p.cpuPercent ?? 0), 0) / 100;
}

/** The policies' view of one tick. */
export function adaptiveInput(sample: Sample, hooks: HookObservations): AdaptiveInput {
  const cg = sample.cgroup;
  const pressure = cg?.memoryPressure ?? null;
  const scope = cg?.memoryPressureScope ?? "host";
  return {
    atMs: sample.atMs,
    limitBytes: cg?.limitBytes ?? null,
    workingSetBytes: cg?.workingSetBytes ?? null,
    swapUsageBytes: cg?.swapUsageBytes ?? null,
    psi:
      pressure === null
        ? null
        : { someAvg10: pressure.some.avg10, fullAvg10: pressure.full?.avg10 ?? null, scope },
    highEvents: cg?.highEvents ?? null,
    maxEvents: cg?.maxEvents ?? null,
    backlogQueued: sample.backlog?.queued ?? null,
    workers: sample.workers
      .filter((w) => w.procState !== "Z")
      .map((w) => ({
        pid: w.pid,
        uss: w.memory.uss,
        busy: hooks.busy === null ? null : (hooks.busy.get(w.pid) ?? 0),
        ready: hooks.ready.has(w.pid),
      })),
    gunicornWorkers: hooks.gunicornWorkers,
    reloads: hooks.reloads,
    cpuUsed: cpuUsed(sample),
  };
}
