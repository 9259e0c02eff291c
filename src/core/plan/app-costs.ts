/** What one app costs in memory and time: measured (a profile) or a documented default. */
import type { Profile } from "../profile/types.js";
import {
  DEFAULT_IMPORT_SECONDS,
  DEFAULT_MASTER_BYTES,
  DEFAULT_SHARED_BYTES,
  DEFAULT_WORKER_PRIVATE_BYTES,
  PRELOAD_EXIT_SPIKE_BYTES,
  PRELOAD_EXIT_SPIKE_FACTOR,
} from "./defaults.js";
import { mib } from "./mib.js";

/** The memory layout of one way of running the app (with or without preload). */
export interface ModeCosts {
  preload: boolean;
  masterBytes: number;
  workerPrivateBytes: number;
  /** Pages shared by all workers, charged once. */
  sharedBytes: number;
  /** One-at-a-time transient (a preloaded worker's exit spike). */
  transientBytes: number;
  /** How each figure was obtained, for the reasons. */
  notes: { master: string; worker: string; shared: string; transient: string };
}

export interface AppCosts {
  source: "measured" | "default";
  importSeconds: number;
  /** A busy worker's CPU ÷ (CPU + blocked) from the profile; null when it has none (schema 1, no profile). */
  cpuShare: number | null;
  /** Where cpuShare came from, with the per-request figures. */
  cpuNote: string;
  plain: ModeCosts;
  /** Null when preload is not proven safe by a profile. */
  preload: ModeCosts | null;
  /** Why preload is or is not available. */
  preloadNote: string;
}

/** Costs from the profile, or the SimpleLogin-sized defaults when there is none. */
export function appCosts(profile: Profile | null): AppCosts {
  if (profile === null) {
    return {
      source: "default",
      importSeconds: DEFAULT_IMPORT_SECONDS,
      cpuShare: null,
      cpuNote: "no profile: planned as CPU-bound (no measured I/O waits)",
      plain: {
        preload: false,
        masterBytes: DEFAULT_MASTER_BYTES,
        workerPrivateBytes: DEFAULT_WORKER_PRIVATE_BYTES,
        sharedBytes: DEFAULT_SHARED_BYTES,
        transientBytes: 0,
        notes: {
          master: "default for a master without preload (no profile)",
          worker: "default for a SimpleLogin-sized app (no profile)",
          shared: "default for interpreter and library pages shared by the workers (no profile)",
          transient: "no preload: a recycled worker exits before its replacement starts",
        },
      },
      preload: null,
      preloadNote: "no profile: preload is never assumed safe (an import-time DB connection breaks it)",
    };
  }
  const { worker, master } = profile;
  const plain: ModeCosts = {
    preload: false,
    masterBytes: master.rss,
    workerPrivateBytes: worker.uss,
    // A worker's shared pages are the master's (interpreter, gunicorn, libraries: in its RSS already);
    // only what is shared beyond the master's size is charged once more.
    sharedBytes: Math.max(0, worker.rss - worker.uss - master.rss),
    transientBytes: 0,
    notes: {
      master: "measured master RSS without preload",
      worker: "measured worker USS (private memory) after warm-up",
      shared: `measured worker RSS − USS − master RSS (${mib(worker.rss)} − ${mib(worker.uss)} − ${mib(master.rss)} MiB, at least 0): a worker shares the pages of the master, whose RSS is counted already`,
      transient: "no preload: a recycled worker exits before its replacement starts",
    },
  };
  const p = profile.preload;
  if (!p.safe || p.master === null || p.workerPrivateBytes === null) {
    const why = !p.safe
      ? `the profile found preload unsafe (${p.reason})`
      : "the profile has no preload measurements";
    return {
      source: "measured",
      importSeconds: profile.importSeconds,
      ...cpuOf(profile),
      plain,
      preload: null,
      preloadNote: why,
    };
  }
  const spike = exitSpike(profile, p.workerPrivateBytes);
  return {
    source: "measured",
    importSeconds: profile.importSeconds,
    ...cpuOf(profile),
    plain,
    preload: {
      preload: true,
      masterBytes: p.master.rss,
      workerPrivateBytes: p.workerPrivateBytes,
      sharedBytes: 0,
      transientBytes: spike.bytes,
      notes: {
        master: "measured master RSS with preload (the master holds the whole app)",
        worker: "measured private memory per worker with preload + gc.freeze()",
        shared: "with preload the shared app pages are counted in the master's RSS",
        transient: spike.note,
      },
    },
    preloadNote: `the profile proved preload safe (${p.reason})`,
  };
}

/** The exit spike of a preloaded worker: measured by `profile` (schema 2), else the documented estimate. */
function exitSpike(profile: Profile, workerPrivateBytes: number): { bytes: number; note: string } {
  const measured = profile.preload.exitSpike;
  if (measured) {
    const how =
      measured.method === "cgroup"
        ? "the memory cgroup's high-water mark"
        : "the PSS sum of master and workers, sampled every 5 ms";
    return {
      bytes: measured.bytes,
      note: `measured by \`profile\`: one preloaded worker retired (as max_requests does) raised the group from ${mib(measured.beforeBytes)} to ${mib(measured.peakBytes)} MiB (${how}); recycling retires one worker at a time`,
    };
  }
  const bytes = Math.min(
    Math.max(PRELOAD_EXIT_SPIKE_BYTES, PRELOAD_EXIT_SPIKE_FACTOR * workerPrivateBytes),
    Math.max(profile.worker.uss, workerPrivateBytes),
  );
  return {
    bytes,
    note: `not measured (a schema-${profile.schema} profile; \`gwarden profile\` measures it now): the documented estimate of a preloaded worker breaking copy-on-write while exiting, min(max(70, 5 × ${mib(workerPrivateBytes)}), ${mib(Math.max(profile.worker.uss, workerPrivateBytes))}) MiB, one worker at a time`,
  };
}

/** The measured CPU share and its arithmetic, or why there is none. */
function cpuOf(profile: Profile): Pick<AppCosts, "cpuShare" | "cpuNote"> {
  const cpu = profile.cpu;
  if (!cpu)
    return {
      cpuShare: null,
      cpuNote: `not measured (a schema-${profile.schema} profile; \`gwarden profile\` measures it now): planned as CPU-bound`,
    };
  const parts = cpu.single.map((t) => `${t.request} ${t.cpuMs} ms CPU + ${t.blockedMs} ms blocked`);
  const cpuSum = cpu.single.reduce((a, t) => a + t.cpuMs, 0);
  const busySum = cpu.single.reduce((a, t) => a + t.cpuMs + t.blockedMs, 0);
  return {
    cpuShare: cpu.share,
    cpuNote: `measured by \`profile\` with one busy worker (waiting for a CPU on a busy host left out): ${parts.join("; ")} → ${round2(cpuSum)} ÷ ${round2(busySum)} = ${cpu.share}`,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
