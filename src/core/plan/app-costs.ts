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
    sharedBytes: Math.max(0, worker.rss - worker.uss),
    transientBytes: 0,
    notes: {
      master: "measured master RSS without preload",
      worker: "measured worker USS (private memory) after warm-up",
      shared: `measured worker RSS − USS (${mib(worker.rss)} − ${mib(worker.uss)} MiB), charged once`,
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
      plain,
      preload: null,
      preloadNote: why,
    };
  }
  const spike = Math.min(
    Math.max(PRELOAD_EXIT_SPIKE_BYTES, PRELOAD_EXIT_SPIKE_FACTOR * p.workerPrivateBytes),
    Math.max(worker.uss, p.workerPrivateBytes),
  );
  return {
    source: "measured",
    importSeconds: profile.importSeconds,
    plain,
    preload: {
      preload: true,
      masterBytes: p.master.rss,
      workerPrivateBytes: p.workerPrivateBytes,
      sharedBytes: 0,
      transientBytes: spike,
      notes: {
        master: "measured master RSS with preload (the master holds the whole app)",
        worker: "measured private memory per worker with preload + gc.freeze()",
        shared: "with preload the shared app pages are counted in the master's RSS",
        transient: `a preloaded worker breaks copy-on-write while exiting: min(max(70, 5 × ${mib(p.workerPrivateBytes)}), ${mib(Math.max(worker.uss, p.workerPrivateBytes))}) MiB, one worker at a time`,
      },
    },
    preloadNote: `the profile proved preload safe (${p.reason})`,
  };
}
