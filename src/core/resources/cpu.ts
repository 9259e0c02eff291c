/**
 * CPU quota over the visible chain (cgroups.md §6): v2 `cpu.max`, v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`
 * at every level, minimum kept as float CPUs. Missing file = no quota at that level; malformed or a zero
 * period = unknown at that level (ignored, with a warning). Shares and weights are not limits.
 */
import type { Reader } from "./probe.js";
import { isMissing } from "./probe.js";
import type { CpuQuota } from "../cgroup/cpu-max.js";
import { parseCfsQuota, parseCpuMax } from "../cgroup/cpu-max.js";

export interface CpuChainResult {
  quota: number | null;
  path: string | null;
  /** Reasons for levels that could not be read. */
  unknown: string[];
}

function levelQuota(read: Reader, dir: string, version: "v1" | "v2"): { quota: CpuQuota; path: string } {
  const path = version === "v2" ? `${dir}/cpu.max` : `${dir}/cpu.cfs_quota_us`;
  const result = read(path);
  if (!result.ok) {
    return {
      path,
      quota: isMissing(result.reason) ? { kind: "none" } : { kind: "unknown", reason: result.reason },
    };
  }
  if (version === "v2") return { path, quota: parseCpuMax(result.text) };
  const period = read(`${dir}/cpu.cfs_period_us`);
  if (!period.ok && !isMissing(period.reason))
    return { path, quota: { kind: "unknown", reason: `cpu.cfs_period_us: ${period.reason}` } };
  return { path, quota: parseCfsQuota(result.text, period.ok ? period.text : null) };
}

/** Minimum quota over `chain` (leaf first). */
export function readCpuChain(read: Reader, chain: readonly string[], version: "v1" | "v2"): CpuChainResult {
  const out: CpuChainResult = { quota: null, path: null, unknown: [] };
  for (const dir of chain) {
    const { quota, path } = levelQuota(read, dir, version);
    if (quota.kind === "unknown") out.unknown.push(`${path}: ${quota.reason}`);
    else if (quota.kind === "cpus" && (out.quota === null || quota.cpus < out.quota)) {
      out.quota = quota.cpus;
      out.path = path;
    }
  }
  return out;
}
