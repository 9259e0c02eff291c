/** Plan inputs for the planner's tests: resource tiers and SimpleLogin-shaped profiles. */
import type { Profile } from "../../../../src/core/profile/types.js";
import type { PlanInput, PlanPolicy, PlanResources } from "../../../../src/core/plan/types.js";
import { defaultPolicy } from "../../../../src/core/plan/inputs.js";

export const MiB = 1024 * 1024;
export const TIERS_MIB = [256, 512, 1024, 2048, 4096] as const;

/** A box with `memMiB` of memory and `cpus` CPUs, tmpfs /dev/shm, no swap. */
export function box(memMiB: number, cpus: number, extra: Partial<PlanResources> = {}): PlanResources {
  return {
    memoryBytes: memMiB * MiB,
    memorySource: "test",
    cpus,
    cpuSource: "test",
    swapBytes: 0,
    devShm: true,
    warnings: [],
    ...extra,
  };
}

const mem = (rss: number, uss: number) => ({ rss: rss * MiB, pss: uss * MiB, uss: uss * MiB, swap: 0 });

/** The baseline's SimpleLogin-shaped app: ~107 MiB private per worker, 1.6 s import. */
export function slProfile(preloadSafe: boolean, overrides: Partial<Profile> = {}): Profile {
  return {
    schema: 1,
    createdAt: "2026-11-27T04:00:00Z",
    app: { argv: ["wsgi:app"], spec: "wsgi:app", chdir: null, fingerprint: "fp-wsgi" },
    gunicorn: { version: "20.1.0", python: "3.11", workerClass: "sync" },
    importSeconds: 1.6,
    master: mem(28, 20),
    worker: mem(125, 107),
    preload: {
      safe: preloadSafe,
      reason: preloadSafe
        ? "3 workers answered every URL"
        : "import-time DB connection: 24 of 46 requests failed",
      masterImportSeconds: 1.6,
      master: mem(130, 110),
      workerPrivateBytes: 14 * MiB,
    },
    urls: ["/"],
    runs: [],
    host: { cpus: 2, memoryLimitBytes: null },
    ...overrides,
  };
}

/** A full input with the default policy plus overrides. */
export function input(
  resources: PlanResources,
  profile: Profile | null = null,
  policy: Partial<PlanPolicy> = {},
): PlanInput {
  return { resources, profile, policy: defaultPolicy(policy) };
}
