/**
 * Memory on cgroup v1 (cgroups.md §4): min over the visible chain of memory.limit_in_bytes and the leaf's
 * hierarchical_memory_limit (which also sees invisible ancestors), swap as memsw − mem, usage and working
 * set (total_inactive_file), max_usage_in_bytes, failcnt and memory.oom_control.
 */
import type { Reader } from "./probe.js";
import type { MemoryReport, Figure, ChainMin } from "./memory-report.js";
import {
  chainFigure,
  chainMin,
  counterFigure,
  headroomOver,
  numberFigure,
  usageAndWorkingSet,
} from "./memory-report.js";
import { hierarchicalLimit } from "../cgroup/memory-stat.js";
import { parseKeyValues } from "../cgroup/key-values.js";

/** Folds the leaf's hierarchical_* value from memory.stat into a chain minimum. */
function withHierarchical(
  min: ChainMin,
  statText: string | null,
  statPath: string,
  key: "hierarchical_memory_limit" | "hierarchical_memsw_limit",
): ChainMin {
  const parsed = statText === null ? null : hierarchicalLimit(statText, key);
  if (parsed === null) return min;
  if (parsed.kind === "malformed")
    return { ...min, unknown: [...min.unknown, `${statPath} ${key}: ${parsed.reason}`], present: true };
  if (parsed.kind === "unlimited") return { ...min, present: true };
  if (min.value !== null && min.value <= parsed.value) return min;
  return { ...min, value: parsed.value, path: `${statPath} (${key})`, present: true };
}

/** Reads v1 memory figures for `chain` (leaf first, ending at the mount point). */
export function readMemoryV1(read: Reader, chain: readonly string[]): MemoryReport {
  const leaf = chain[0]!;
  const statPath = `${leaf}/memory.stat`;
  const stat = read(statPath);
  const statText = stat.ok ? stat.text : null;
  const mem = withHierarchical(
    chainMin(read, chain, "memory.limit_in_bytes"),
    statText,
    statPath,
    "hierarchical_memory_limit",
  );
  const memsw = withHierarchical(
    chainMin(read, chain, "memory.memsw.limit_in_bytes"),
    statText,
    statPath,
    "hierarchical_memsw_limit",
  );
  const { usage, workingSet } = usageAndWorkingSet(read, leaf, "memory.usage_in_bytes", "v1");
  const levels = mem.limited.map(({ dir, value }) => ({
    value,
    workingSet:
      dir === leaf
        ? workingSet.value
        : usageAndWorkingSet(read, dir, "memory.usage_in_bytes", "v1").workingSet.value,
  }));
  // A limit seen only through hierarchical_memory_limit belongs to an ancestor we cannot read: use the leaf.
  if (mem.value !== null && !mem.limited.some((l) => l.value === mem.value))
    levels.push({ value: mem.value, workingSet: workingSet.value });
  return {
    limit: chainFigure(mem, chain.length, "memory.limit_in_bytes"),
    high: { value: null, reason: "cgroup v1 has no memory.high (soft_limit_in_bytes is not a cap)" },
    usage,
    workingSet,
    headroom: headroomOver(levels),
    peak: numberFigure(read, `${leaf}/memory.max_usage_in_bytes`),
    swapLimit: swapLimitV1(mem, memsw),
    swapUsage: swapUsageV1(read, leaf, usage),
    oom: oomV1(read, leaf),
  };
}

function swapLimitV1(mem: ChainMin, memsw: ChainMin): MemoryReport["swapLimit"] {
  if (!memsw.present)
    return { value: null, reason: "memory.memsw.limit_in_bytes missing (no swap accounting)" };
  if (memsw.unknown.length > 0 && memsw.value === null)
    return { value: null, reason: memsw.unknown.join("; ") };
  if (memsw.value === null) return { value: null, reason: "memsw limit is unlimited", unlimited: true };
  if (mem.value === null)
    return { value: null, reason: "memsw is limited but memory is not: swap share unknown" };
  return {
    value: Math.max(0, memsw.value - mem.value),
    path: memsw.path!,
    reason: "memsw limit − memory limit",
  };
}

function swapUsageV1(read: Reader, leaf: string, usage: Figure): Figure {
  const memsw = numberFigure(read, `${leaf}/memory.memsw.usage_in_bytes`);
  if (memsw.value === null) return memsw;
  if (usage.value === null) return usage;
  return {
    value: Math.max(0, memsw.value - usage.value),
    path: memsw.path,
    reason: "memsw usage − memory usage",
  };
}

function oomV1(read: Reader, leaf: string): MemoryReport["oom"] {
  const path = `${leaf}/memory.oom_control`;
  const control = read(path);
  const kv = control.ok ? parseKeyValues(control.text) : null;
  const reason = control.ok ? "" : `${path}: ${control.reason}`;
  const under = kv?.get("under_oom");
  const v2Only = { value: null, reason: "memory.events is cgroup v2 only" } as const;
  return {
    kills:
      kv !== null && !kv.has("oom_kill")
        ? { value: null, reason: `${path}: no oom_kill line (kernel < 4.13)` }
        : counterFigure(kv, path, "oom_kill", reason),
    ooms: v2Only,
    maxEvents: v2Only,
    highEvents: v2Only,
    underOom: under === undefined ? null : under !== 0,
    failcnt: numberFigure(read, `${leaf}/memory.failcnt`),
  };
}
