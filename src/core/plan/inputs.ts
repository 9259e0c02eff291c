/** Building a PlanInput: detected Resources (or what-if figures) into PlanResources, and the default policy. */
import type { Resources } from "../resources/types.js";
import type { HeartbeatDirFact, PlanPolicy, PlanResources } from "./types.js";
import {
  POSTGRES_DEFAULT_MAX_CONNECTIONS,
  POSTGRES_RESERVED_CONNECTIONS,
  SUPERVISOR_BYTES,
} from "./defaults.js";
import { MiB } from "../size.js";

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
