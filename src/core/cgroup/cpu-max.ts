/**
 * CPU quota parsers (cgroups.md §6.2): v2 `cpu.max` (`$QUOTA $PERIOD`, `max` for none, period defaulting
 * to 100000 when absent) and v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (quota ≤ 0 or -1 for none).
 * A zero period or any malformed text is "unknown at this level", never an exception.
 */

/** A CPU limit at one level: float CPUs, none, or unknown with why. */
export type CpuQuota =
  { kind: "cpus"; cpus: number } | { kind: "none" } | { kind: "unknown"; reason: string };

const DEFAULT_PERIOD = 100_000;
const INTEGER = /^-?\d+$/;

function ratio(quota: number, period: number): CpuQuota {
  if (period <= 0) return { kind: "unknown", reason: `period ${period} is not positive` };
  if (quota <= 0) return { kind: "none" };
  return { kind: "cpus", cpus: quota / period };
}

/** Parses v2 `cpu.max`. */
export function parseCpuMax(text: string): CpuQuota {
  const trimmed = text.replace(/\n$/, "");
  const fields = trimmed.trim() === "" ? [] : trimmed.trim().split(/\s+/);
  if (fields.length === 0) return { kind: "unknown", reason: "empty cpu.max" };
  if (fields.length > 2)
    return { kind: "unknown", reason: `cpu.max has ${fields.length} fields: \`${trimmed.slice(0, 60)}\`` };
  const [quotaText = "", periodText = String(DEFAULT_PERIOD)] = fields;
  if (!INTEGER.test(periodText))
    return { kind: "unknown", reason: `cpu.max period is not a number: \`${periodText.slice(0, 30)}\`` };
  const period = Number(periodText);
  if (quotaText === "max")
    return period <= 0 ? { kind: "unknown", reason: `period ${period} is not positive` } : { kind: "none" };
  if (!INTEGER.test(quotaText))
    return { kind: "unknown", reason: `cpu.max quota is not a number: \`${quotaText.slice(0, 30)}\`` };
  return ratio(Number(quotaText), period);
}

/** Parses v1 `cpu.cfs_quota_us` + `cpu.cfs_period_us` (period text null when the file is missing). */
export function parseCfsQuota(quotaText: string, periodText: string | null): CpuQuota {
  const quota = quotaText.trim();
  if (!INTEGER.test(quota))
    return { kind: "unknown", reason: `cpu.cfs_quota_us is not a number: \`${quota.slice(0, 30)}\`` };
  if (Number(quota) <= 0) return { kind: "none" };
  if (periodText === null)
    return { kind: "unknown", reason: "cpu.cfs_quota_us is set but cpu.cfs_period_us is missing" };
  const period = periodText.trim();
  if (!INTEGER.test(period))
    return { kind: "unknown", reason: `cpu.cfs_period_us is not a number: \`${period.slice(0, 30)}\`` };
  return ratio(Number(quota), Number(period));
}
