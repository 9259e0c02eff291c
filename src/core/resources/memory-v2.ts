/**
 * Memory on cgroup v2 (cgroups.md §3): memory.max and memory.high as the minimum over the visible chain,
 * per-level headroom, usage and working set at the leaf, memory.peak, memory.swap.*, memory.events.
 */
import type { Reader } from "./probe.js";
import type { MemoryReport, Figure } from "./memory-report.js";
import {
  chainFigure,
  chainMin,
  counterFigure,
  headroomOver,
  numberFigure,
  readCounters,
  usageAndWorkingSet,
} from "./memory-report.js";

/** Reads v2 memory figures for `chain` (leaf first, ending at the mount point). */
export function readMemoryV2(read: Reader, chain: readonly string[]): MemoryReport {
  const leaf = chain[0]!;
  const max = chainMin(read, chain, "memory.max");
  const high = chainMin(read, chain, "memory.high");
  const swapMax = chainMin(read, chain, "memory.swap.max");
  const { usage, workingSet } = usageAndWorkingSet(read, leaf, "memory.current", "v2");
  const levels = max.limited.map(({ dir, value }) => ({
    value,
    workingSet:
      dir === leaf
        ? workingSet.value
        : usageAndWorkingSet(read, dir, "memory.current", "v2").workingSet.value,
  }));
  const swapLimit: MemoryReport["swapLimit"] =
    swapMax.value !== null
      ? chainFigure(swapMax, chain.length, "memory.swap.max")
      : swapMax.present && swapMax.unknown.length === 0
        ? { value: null, reason: "memory.swap.max is max at every level", unlimited: true }
        : {
            value: null,
            reason:
              swapMax.unknown.length > 0
                ? swapMax.unknown.join("; ")
                : `${leaf}/memory.swap.max: missing (no swap accounting)`,
          };
  const eventsPath = `${leaf}/memory.events`;
  const { kv, reason } = readCounters(read, eventsPath);
  const counter = (key: string): Figure => counterFigure(kv, eventsPath, key, reason);
  return {
    limit: chainFigure(max, chain.length, "memory.max"),
    high: chainFigure(high, chain.length, "memory.high"),
    usage,
    workingSet,
    headroom: headroomOver(levels),
    peak: numberFigure(read, `${leaf}/memory.peak`),
    swapLimit,
    swapUsage: numberFigure(read, `${leaf}/memory.swap.current`),
    oom: {
      kills: counter("oom_kill"),
      ooms: counter("oom"),
      maxEvents: counter("max"),
      highEvents: counter("high"),
      underOom: null,
      failcnt: { value: null, reason: "cgroup v2 has no failcnt (see memory.events max)" },
    },
  };
}
