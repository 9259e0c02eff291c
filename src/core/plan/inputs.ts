/** Building a PlanInput: detected Resources (or what-if figures) into PlanResources, and the default policy. */
import type { Resources } from "../resources/types.js";
import type { HeartbeatDirFact, PlanPolicy, PlanResources } from "./types.js";
import {
  POSTGRES_DEFAULT_MAX_CONNECTIONS,
  POSTGRES_RESERVED_CONNECTIONS,
  SUPERVISOR_BYTES,
  SUPERVISOR_GROWTH_BYTES,
} from "./defaults.js";
import { MiB } from "../size.js";
import { mib } from "./mib.js";

/** Why Node's file-backed pages are not in the figure. */
const FILE_PAGES_NOTE =
  "Node's file-backed pages (its binary, ~40 MiB of RSS) are page cache: clean, reclaimable under pressure, covered by the margin";

/** The documented figure `plan` uses when it is not `gwarden run` and cannot measure the supervisor. */
export const DEFAULT_SUPERVISOR_SOURCE = `gwarden run's anonymous memory as bench/run-cost.mjs measured it (12.8 MiB average, 16.4 MiB peak, rounded up to ${mib(SUPERVISOR_BYTES)} MiB); ${FILE_PAGES_NOTE}`;

/**
 * The supervisor's charge from its own anonymous memory measured at plan time (`RssAnon`) plus growth,
 * never below the documented peak (a plan-time reading is the smallest this process will be).
 */
export function measuredSupervisor(
  anonBytes: number,
): Pick<PlanPolicy, "supervisorBytes" | "supervisorSource"> {
  const grown = anonBytes + SUPERVISOR_GROWTH_BYTES;
  const bytes = Math.max(SUPERVISOR_BYTES, grown);
  return {
    supervisorBytes: bytes,
    supervisorSource: `measured: max(${mib(anonBytes)} MiB of anonymous memory now (RssAnon, /proc/self/status) + ${mib(SUPERVISOR_GROWTH_BYTES)} MiB for what starts after the plan (HTTP server, sampler, event buffers), the ${mib(SUPERVISOR_BYTES)} MiB peak bench/run-cost.mjs measured) = ${mib(bytes)} MiB; ${FILE_PAGES_NOTE}`,
  };
}

/** When neither a limit nor the host total is known, size for a small box. */
export const UNKNOWN_MEMORY_BYTES = 512 * MiB;

/** What-if figures that replace detection (`--memory 512M --cpus 1`). */
export interface WhatIf {
  memoryBytes?: number;
  cpus?: number;
}

/** Detection warnings that still apply: a what-if figure replaces detection, so its warnings go. */
export function warningsBesideWhatIf(warnings: readonly string[], whatIf: WhatIf): string[] {
  return warnings.filter(
    (w) =>
      !(whatIf.memoryBytes !== undefined && /^(host )?memory/i.test(w)) &&
      !(whatIf.cpus !== undefined && /^cpu/i.test(w)),
  );
}

/** The planner's figures from detected resources, with what-if overrides applied. */
export function planResources(
  resources: Resources,
  whatIf: WhatIf = {},
  heartbeatDirs: HeartbeatDirFact[] = [],
): PlanResources {
  const warnings = warningsBesideWhatIf(resources.warnings, whatIf);
  let memoryBytes: number;
  let memorySource: string;
  if (whatIf.memoryBytes !== undefined) {
    memoryBytes = whatIf.memoryBytes;
    memorySource = "what-if (--memory)";
  } else if (resources.memory.sizingLimitBytes !== null) {
    memoryBytes = resources.memory.sizingLimitBytes;
    const high =
      resources.memory.highBytes !== null && resources.memory.highBytes === resources.memory.sizingLimitBytes;
    memorySource = `${high ? "memory.high" : "limit"} (${resources.sources["memory.limitBytes"]?.source ?? "detected"})`;
  } else if (resources.memory.hostTotalBytes !== null) {
    memoryBytes = resources.memory.hostTotalBytes;
    memorySource = "host total (no limit)";
  } else {
    memoryBytes = UNKNOWN_MEMORY_BYTES;
    memorySource = "unknown (assumed 512 MiB)";
    warnings.push(
      "Neither a memory limit nor the host's total could be read: planned for 512 MiB. Pass --memory.",
    );
  }
  const cpus = whatIf.cpus ?? resources.cpu.effective;
  const cpuSource =
    whatIf.cpus !== undefined
      ? "what-if (--cpus)"
      : resources.cpu.quota !== null && resources.cpu.quota <= resources.cpu.affinity
        ? "cgroup quota"
        : "affinity";
  return {
    memoryBytes,
    memorySource,
    cpus: cpus > 0 ? cpus : 1,
    cpuSource,
    swapBytes: resources.swap.limitBytes ?? resources.swap.hostTotalBytes,
    heartbeatDirs,
    warnings,
  };
}

/** The default policy: gwarden inside the app's cgroup, DB elsewhere, threads allowed. */
export function defaultPolicy(overrides: Partial<PlanPolicy> = {}): PlanPolicy {
  return {
    lowMemory: false,
    dbOnBox: false,
    supervisorBytes: SUPERVISOR_BYTES,
    supervisorSource: DEFAULT_SUPERVISOR_SOURCE,
    supervisorInGroup: true,
    gunicornVersion: null,
    postgresMaxConnections: POSTGRES_DEFAULT_MAX_CONNECTIONS,
    postgresReservedConnections: POSTGRES_RESERVED_CONNECTIONS,
    allowThreads: true,
    appArgv: [],
    ...overrides,
  };
}

/** True for LOW_MEMORY_MODE=true / 1 / yes. */
export function lowMemoryFromEnv(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
