/**
 * The combination step of cgroups.md §7: cap the hard limit at MemTotal, available = min(headroom,
 * MemAvailable) (host MemAvailable without a limit), swap limit capped at SwapTotal, and provenance for
 * every memory, swap and OOM figure.
 */
import type { FigureSource, Provenance, Resources } from "./types.js";
import type { Notes } from "./probe.js";
import { minOf } from "./probe.js";
import type { Figure, MemoryReport } from "./memory-report.js";
import type { MemInfo } from "../cgroup/meminfo.js";

type Memory = Resources["memory"];
type Swap = Resources["swap"];
type Oom = Resources["oom"];

/** The provenance of a figure read from a cgroup (or unknown with its reason). */
export function provenance(figure: Figure, source: FigureSource): Provenance {
  if (figure.value === null) return { source: "unknown", reason: figure.reason };
  return { source, path: figure.path, ...(figure.reason ? { reason: figure.reason } : {}) };
}

/** Combines a cgroup memory report (or null when there is no memory controller) with the host figures. */
export function combineMemory(
  report: MemoryReport | null,
  source: "cgroup-v1" | "cgroup-v2",
  host: MemInfo,
  notes: Notes,
  why: string,
  /** The controller exists but could not be read: the limit is unknown rather than "none, use the host". */
  unresolved = false,
): { memory: Memory; swap: Swap; oom: Oom } {
  const hostProv: Provenance = { source: "host", path: "/proc/meminfo" };
  let limit = report?.limit.value ?? null;
  if (report === null) {
    notes.set(
      "memory.limitBytes",
      unresolved
        ? { source: "unknown", reason: `cgroup memory controller unreadable: ${why}` }
        : { source: "host", path: "/proc/meminfo", reason: `no usable cgroup memory controller: ${why}` },
    );
    notes.warn(
      unresolved
        ? `memory: the cgroup hierarchy is there but this process's group could not be read (${why}): the limit is unknown; host figures used for the rest`
        : `memory: no usable cgroup memory controller (${why}); host figures used, which in a container describe the host`,
    );
  } else if (limit === null) {
    const unknown = report.limit.value === null && "unknown" in report.limit && report.limit.unknown === true;
    notes.set(
      "memory.limitBytes",
      unknown
        ? { source: "unknown", reason: report.limit.reason }
        : {
            source: "host",
            path: "/proc/meminfo",
            reason: `no cgroup limit (${report.limit.reason}); the host's MemTotal is the ceiling`,
          },
    );
    notes.warn(
      unknown
        ? `memory limit unknown: ${report.limit.reason}`
        : "memory: no cgroup limit; falling back to host MemTotal/MemAvailable (the real ceiling may be lower and invisible)",
    );
  } else if (host.totalBytes !== null && limit > host.totalBytes) {
    notes.set("memory.limitBytes", {
      source,
      path: report.limit.path!,
      reason: `cgroup limit ${limit} capped at MemTotal ${host.totalBytes}`,
    });
    limit = host.totalBytes;
  } else {
    notes.set("memory.limitBytes", provenance(report.limit, source));
  }
  const high = report?.high.value ?? null;
  if (report)
    notes.set(
      "memory.highBytes",
      report.high.value === null ? { source, reason: report.high.reason } : provenance(report.high, source),
    );
  notes.set(
    "memory.hostTotalBytes",
    host.totalBytes === null ? { source: "unknown", reason: "no MemTotal in /proc/meminfo" } : hostProv,
  );
  notes.set(
    "memory.hostAvailableBytes",
    host.availableBytes === null
      ? { source: "unknown", reason: "no MemAvailable in /proc/meminfo" }
      : {
          ...hostProv,
          ...(host.availableEstimated ? { reason: "MemFree + Buffers + Cached (no MemAvailable)" } : {}),
        },
  );
  const headroom = report !== null && limit !== null ? report.headroom : null;
  let available: number | null;
  if (headroom !== null) {
    available = Math.max(0, minOf(headroom, host.availableBytes)!);
    notes.set("memory.availableBytes", {
      source,
      reason: "min over limited levels of (limit − working set), then min with MemAvailable",
    });
  } else {
    available = host.availableBytes;
    notes.set(
      "memory.availableBytes",
      host.availableBytes === null
        ? { source: "unknown", reason: "no cgroup headroom and no MemAvailable" }
        : { ...hostProv, reason: "host MemAvailable (no cgroup headroom)" },
    );
  }
  for (const key of ["usageBytes", "workingSetBytes", "peakBytes"] as const) {
    const figure = report
      ? { usageBytes: report.usage, workingSetBytes: report.workingSet, peakBytes: report.peak }[key]
      : null;
    notes.set(
      `memory.${key}`,
      figure
        ? provenance(figure, source)
        : { source: "unknown", reason: `no usable cgroup memory controller: ${why}` },
    );
  }
  return {
    memory: {
      limitBytes: limit,
      highBytes: high,
      sizingLimitBytes: minOf(limit, high),
      hostTotalBytes: host.totalBytes,
      hostAvailableBytes: host.availableBytes,
      usageBytes: report?.usage.value ?? null,
      workingSetBytes: report?.workingSet.value ?? null,
      availableBytes: available,
      peakBytes: report?.peak.value ?? null,
    },
    swap: combineSwap(report, source, host, notes),
    oom: combineOom(report, source, notes, why),
  };
}

function combineSwap(report: MemoryReport | null, source: FigureSource, host: MemInfo, notes: Notes): Swap {
  const hostProv: Provenance = { source: "host", path: "/proc/meminfo" };
  notes.set(
    "swap.hostTotalBytes",
    host.swapTotalBytes === null ? { source: "unknown", reason: "no SwapTotal in /proc/meminfo" } : hostProv,
  );
  notes.set(
    "swap.hostFreeBytes",
    host.swapFreeBytes === null ? { source: "unknown", reason: "no SwapFree in /proc/meminfo" } : hostProv,
  );
  let limit: number | null = null;
  const cg = report?.swapLimit;
  if (cg && cg.value !== null) {
    limit = minOf(cg.value, host.swapTotalBytes);
    notes.set("swap.limitBytes", {
      ...provenance(cg, source),
      ...(host.swapTotalBytes !== null && cg.value > host.swapTotalBytes
        ? { reason: "capped at SwapTotal" }
        : {}),
    });
  } else if (report === null || (cg && "unlimited" in cg && cg.unlimited === true)) {
    limit = host.swapTotalBytes;
    notes.set("swap.limitBytes", { ...hostProv, reason: "no cgroup swap limit: host SwapTotal" });
  } else {
    notes.set("swap.limitBytes", { source: "unknown", reason: cg?.reason ?? "unknown" });
  }
  if (report) notes.set("swap.usageBytes", provenance(report.swapUsage, source));
  return {
    limitBytes: limit,
    usageBytes: report?.swapUsage.value ?? null,
    hostTotalBytes: host.swapTotalBytes,
    hostFreeBytes: host.swapFreeBytes,
  };
}

function combineOom(report: MemoryReport | null, source: FigureSource, notes: Notes, why: string): Oom {
  if (report === null) {
    for (const key of ["kills", "ooms", "maxEvents", "highEvents", "underOom", "failcnt"])
      notes.set(`oom.${key}`, { source: "unknown", reason: `no usable cgroup memory controller: ${why}` });
    return { kills: null, ooms: null, maxEvents: null, highEvents: null, underOom: null, failcnt: null };
  }
  const { kills, ooms, maxEvents, highEvents, failcnt, underOom } = report.oom;
  const figures = { kills, ooms, maxEvents, highEvents, failcnt };
  for (const [key, figure] of Object.entries(figures)) notes.set(`oom.${key}`, provenance(figure, source));
  notes.set(
    "oom.underOom",
    underOom === null
      ? { source: "unknown", reason: "no under_oom (cgroup v2 or unreadable memory.oom_control)" }
      : { source, path: report.oom.kills.path ?? "memory.oom_control" },
  );
  return {
    kills: kills.value,
    ooms: ooms.value,
    maxEvents: maxEvents.value,
    highEvents: highEvents.value,
    underOom,
    failcnt: failcnt.value,
  };
}
