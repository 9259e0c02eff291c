/**
 * Parser for single-number cgroup files (memory.max, memory.limit_in_bytes, memory.current, ...) with
 * every spelling of "unlimited" (cgroups.md §4, §5 of the summary): `max`, `-1`, any value ≥
 * 0x7FFFFFFF00000000 (page-rounded LONG_MAX for every page size, and 2^64−1).
 */

/** A parsed number file: a byte/count value, unlimited, or malformed with the reason. */
export type CgroupNumber =
  { kind: "value"; value: number } | { kind: "unlimited" } | { kind: "malformed"; reason: string };

const UNLIMITED_FROM = 0x7fffffff00000000n;

/** Parses one non-negative integer or an unlimited spelling; never throws. */
export function parseCgroupNumber(text: string): CgroupNumber {
  const value = text.trim();
  if (value === "max" || value === "-1") return { kind: "unlimited" };
  if (!/^\d+$/.test(value)) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return { kind: "malformed", reason: value === "" ? "empty file" : `not a number: \`${shown}\`` };
  }
  const big = BigInt(value);
  if (big >= UNLIMITED_FROM) return { kind: "unlimited" };
  // Above 2^53 a Number is approximate; such figures are far above any RAM and get capped at MemTotal.
  return { kind: "value", value: Number(big) };
}
