/**
 * The figures one sampler tick reads for a process (memory from smaps_rollup), for the cgroup (limit,
 * usage, working set, pressure, OOM counters) and for gunicorn's listen backlog. Plain JSON data.
 */
import type { Resources } from "../resources/types.js";
import type { Pressure } from "../cgroup/psi.js";

/** Memory of one process in bytes, from smaps_rollup; null when it could not be read. */
export interface MemoryFigures {
  rss: number | null;
  /** Proportional set size: shared pages divided among sharers; sums to the container total. */
  pss: number | null;
  /** Unique set size (Private_Clean + Private_Dirty): what killing the process frees. */
  uss: number | null;
  swap: number | null;
  /** Private_Dirty + Swap: anonymous memory nobody else shares (Passenger's "real memory"). */
  anon: number | null;
}

/** The cgroup figures the live views need (a subset of `Resources`, re-read every sample). */
export interface CgroupFigures {
  /**
   * The group directory the usage figures cover (detect's memory controller directory, e.g.
   * /sys/fs/cgroup/memory/system.slice/app.service); null when they are the host's. The limit may be
   * set on an ancestor (the minimum over the chain). Absent in snapshots from before it existed.
   */
  path?: string | null;
  limitBytes: number | null;
  usageBytes: number | null;
  workingSetBytes: number | null;
  swapUsageBytes: number | null;
  memoryPressure: Pressure | null;
  oomKills: number | null;
  /** Where memoryPressure was read: the group's own memory.pressure, or host-wide /proc/pressure/memory. */
  memoryPressureScope?: "cgroup" | "host" | null;
  /** cgroup v2 memory.events `high` / `max` counters (null on v1); adaptive control reads their growth. */
  highEvents?: number | null;
  maxEvents?: number | null;
}

export interface BacklogFigures {
  /** Connections waiting for accept() on the listening sockets. */
  queued: number | null;
  /** The backlog limit (kernel-reported, else min(planned backlog, somaxconn)). */
  max: number | null;
  listeners: number;
}

/** Memory figures that are all unknown. */
export const UNKNOWN_MEMORY: MemoryFigures = { rss: null, pss: null, uss: null, swap: null, anon: null };

/** The live cgroup figures out of a full `Resources` reading. */
export function cgroupFigures(resources: Resources): CgroupFigures {
  return {
    path: resources.cgroup.memoryDir,
    limitBytes: resources.memory.limitBytes,
    usageBytes: resources.memory.usageBytes,
    workingSetBytes: resources.memory.workingSetBytes,
    swapUsageBytes: resources.swap.usageBytes,
    memoryPressure: resources.pressure.memory,
    oomKills: resources.oom.kills,
    memoryPressureScope: pressureScope(resources.sources["pressure.memory"]?.source),
    highEvents: resources.oom.highEvents,
    maxEvents: resources.oom.maxEvents,
  };
}

function pressureScope(source: string | undefined): "cgroup" | "host" | null {
  return source === "cgroup-v2" ? "cgroup" : source === "host" ? "host" : null;
}
