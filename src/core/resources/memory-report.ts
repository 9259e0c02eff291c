/**
 * What the v1 and v2 memory readers hand to the combination step (cgroups.md §7), plus the per-level
 * walk they share: min over the chain of a limit file, remembering where the binding value was read.
 */
import type { Reader, LevelValue } from "./probe.js";
import { isMissing, readLevel } from "./probe.js";
import { parseKeyValues } from "../cgroup/key-values.js";
import { inactiveFile } from "../cgroup/memory-stat.js";
import { parseCgroupNumber } from "../cgroup/cgroup-number.js";

export type Figure =
  { value: number; path: string; reason?: string } | { value: null; reason: string; path?: string };

export interface MemoryReport {
  /** Hard limit before the MemTotal cap; value null = none, with `unknown` set when some level was unreadable. */
  limit: Figure & { unknown?: boolean };
  high: Figure;
  usage: Figure;
  workingSet: Figure;
  /** min over limited levels of (limit − working set); null when no level is limited or usage is unreadable. */
  headroom: number | null;
  peak: Figure;
  /** Cgroup swap limit; value null with `unlimited` when no cgroup swap limit, else unknown. */
  swapLimit: Figure & { unlimited?: boolean };
  swapUsage: Figure;
  oom: {
    kills: Figure;
    ooms: Figure;
    maxEvents: Figure;
    highEvents: Figure;
    underOom: boolean | null;
    failcnt: Figure;
  };
}

/** The result of walking a chain for one file: the smallest value (and where), or why there is none. */
export interface ChainMin {
  value: number | null;
  path: string | null;
  /** Per-level limits, leaf first (for headroom). */
  limited: { dir: string; value: number }[];
  unknown: string[];
  /** Whether the file existed at any level. */
  present: boolean;
}

/** Walks `chain` (leaf first) reading `file` at every level and keeps the minimum. */
export function chainMin(read: Reader, chain: readonly string[], file: string): ChainMin {
  const out: ChainMin = { value: null, path: null, limited: [], unknown: [], present: false };
  for (const dir of chain) {
    const level: LevelValue = readLevel(read, `${dir}/${file}`);
    if (level.kind === "unknown") {
      out.unknown.push(level.reason);
      out.present = true;
    } else if (level.kind === "none") {
      out.present ||= level.present;
    } else {
      out.present = true;
      out.limited.push({ dir, value: level.value });
      if (out.value === null || level.value < out.value) {
        out.value = level.value;
        out.path = level.path;
      }
    }
  }
  return out;
}

/** Turns a ChainMin into a Figure with a readable reason. */
export function chainFigure(
  min: ChainMin,
  chainLength: number,
  what: string,
): Figure & { unknown?: boolean } {
  if (min.value !== null && min.path !== null) {
    return {
      value: min.value,
      path: min.path,
      reason: `min over ${chainLength} level${chainLength === 1 ? "" : "s"}`,
    };
  }
  if (min.unknown.length > 0) return { value: null, reason: min.unknown.join("; "), unknown: true };
  return {
    value: null,
    reason: `no limit in ${what} at any of ${chainLength} level${chainLength === 1 ? "" : "s"}`,
  };
}

/** Reads a number figure at one path. */
export function numberFigure(read: Reader, path: string): Figure {
  const result = read(path);
  if (!result.ok) return { value: null, reason: `${path}: ${result.reason}` };
  const parsed = parseCgroupNumber(result.text);
  return parsed.kind === "value"
    ? { value: parsed.value, path }
    : { value: null, reason: `${path}: ${parsed.kind === "malformed" ? parsed.reason : "unlimited"}` };
}

/** Usage and working set (usage − inactive_file, clamped at 0) of one group. */
export function usageAndWorkingSet(
  read: Reader,
  dir: string,
  usageFile: string,
  version: "v1" | "v2",
): { usage: Figure; workingSet: Figure } {
  const usage = numberFigure(read, `${dir}/${usageFile}`);
  if (usage.value === null) return { usage, workingSet: { value: null, reason: usage.reason } };
  const statPath = `${dir}/memory.stat`;
  const stat = read(statPath);
  const inactive = stat.ok ? inactiveFile(stat.text, version) : null;
  if (inactive === null) {
    const why = stat.ok ? "no inactive_file key" : stat.reason;
    return { usage, workingSet: { value: null, reason: `${statPath}: ${why}` } };
  }
  return {
    usage,
    workingSet: {
      value: Math.max(0, usage.value - inactive),
      path: statPath,
      reason: "usage − inactive_file, clamped at 0",
    },
  };
}

/** Parses a flat counter file: a missing file counts as all zeros, an unreadable one as unknown. */
export function readCounters(read: Reader, path: string): { kv: Map<string, number> | null; reason: string } {
  const result = read(path);
  if (result.ok) return { kv: parseKeyValues(result.text), reason: "" };
  return isMissing(result.reason)
    ? { kv: new Map(), reason: "" }
    : { kv: null, reason: `${path}: ${result.reason}` };
}

/** A counter from a flat key-value file, as a Figure. */
export function counterFigure(
  kv: Map<string, number> | null,
  path: string,
  key: string,
  fileReason: string,
): Figure {
  if (kv === null) return { value: null, reason: fileReason };
  // cAdvisor's rule: a counter absent from a readable (or missing) events file has not happened yet.
  return { value: kv.get(key) ?? 0, path };
}

/** Headroom over limited levels: min(limit_L − workingSet_L); null when nothing could be computed. */
export function headroomOver(levels: readonly { value: number; workingSet: number | null }[]): number | null {
  let headroom: number | null = null;
  for (const level of levels) {
    if (level.workingSet === null) continue;
    const room = level.value - level.workingSet;
    headroom = headroom === null ? room : Math.min(headroom, room);
  }
  return headroom;
}
