/**
 * What `detect` finds: the resources this process really has. Every figure is a plain value (or null
 * when unknown/unlimited) and `sources` says where each came from, keyed by the figure's dotted name
 * (`memory.limitBytes`, `cpu.quota`, ...). This is the JSON contract of `detect --json` (DESIGN.md).
 */
import type { Pressure } from "../cgroup/psi.js";
export type CgroupVersion = "v1" | "v2" | "hybrid" | "none";

/** Where a figure came from. `unknown` always carries a `reason`. */
export type FigureSource = "cgroup-v1" | "cgroup-v2" | "host" | "affinity" | "unknown";

export interface Provenance {
  source: FigureSource;
  /** The file the figure was read from (relative to the detection root), when one was read. */
  path?: string;
  /** Why the figure is unknown, or how it was combined (e.g. "min over 3 levels", "capped at MemTotal"). */
  reason?: string;
}

export interface Resources {
  cgroup: {
    /** The versions the memory and CPU controllers were read from: "hybrid" only when they differ. */
    version: CgroupVersion;
    /** How cgroups are mounted on this host: "hybrid" is v1 controllers plus a cgroup2 mount (e.g. /sys/fs/cgroup/unified). */
    layout: CgroupVersion;
    /** Which version each controller was found on (null: not available, host figures used). */
    memoryController: "v1" | "v2" | null;
    cpuController: "v1" | "v2" | null;
    /** The memory controller's directory for this process (absolute, under the root), if resolved. */
    memoryDir: string | null;
    cpuDir: string | null;
    /**
     * Why this process's own group could not be read although its hierarchy is there (`version` then
     * still names the hierarchy): its limits are unknown, not absent. Null when they were read, or
     * there is no hierarchy. `detect` always sets it (optional only for hand-built Resources).
     */
    limitsUnresolved?: string | null;
  };
  memory: {
    /** Effective hard limit: min over the visible chain, capped at MemTotal; null when unlimited. */
    limitBytes: number | null;
    /** v2 `memory.high` (throttling, never OOM), min over the chain; null when none. */
    highBytes: number | null;
    /** min(limitBytes, highBytes): what to size work against (above `high` the workload is throttled). */
    sizingLimitBytes: number | null;
    hostTotalBytes: number | null;
    hostAvailableBytes: number | null;
    usageBytes: number | null;
    /** usage − inactive_file, clamped at 0 (kubelet's rule). */
    workingSetBytes: number | null;
    /** min(limit − working set, MemAvailable); host MemAvailable when unlimited. */
    availableBytes: number | null;
    /** Peak usage the cgroup has seen (`memory.max_usage_in_bytes` / `memory.peak`). */
    peakBytes: number | null;
  };
  swap: {
    /** Swap the cgroup may use (v2 `memory.swap.max`, v1 memsw − mem); null when unlimited/unknown. */
    limitBytes: number | null;
    usageBytes: number | null;
    hostTotalBytes: number | null;
    hostFreeBytes: number | null;
  };
  cpu: {
    /** quota / period as float CPUs, min over the chain; null when there is no quota. */
    quota: number | null;
    /** CPUs in this process's affinity mask (cpuset). */
    affinity: number;
    /** min(affinity, quota): what the planner sizes for. */
    effective: number;
    /** max(1, floor(effective)): avoids CFS throttling for CPU-bound sync workers. */
    effectiveFloor: number;
    /** ceil(effective): what JDK, .NET and Go use. */
    effectiveCeil: number;
  };
  pressure: {
    memory: Pressure | null;
    cpu: Pressure | null;
    io: Pressure | null;
  };
  oom: {
    /** Processes killed by the OOM killer in this cgroup (v2 `memory.events` oom_kill, v1 `oom_control`). */
    kills: number | null;
    /** Times the cgroup hit its limit and the OOM path ran (v2 `oom`). */
    ooms: number | null;
    /** v2 `memory.events` `max` / `high`. */
    maxEvents: number | null;
    highEvents: number | null;
    /** v1 `under_oom` (processes frozen waiting when oom_kill_disable is set). */
    underOom: boolean | null;
    /** v1 `memory.failcnt` (stays 0 on some kernels while OOM kills happen: read `kills`). */
    failcnt: number | null;
  };
  sources: Record<string, Provenance>;
  /** Things a person must know: host fallbacks, unresolvable paths, malformed files. */
  warnings: string[];
}
