/**
 * Figures from `memory.stat` (cgroups.md §3, §4): inactive file cache for the working set (v2
 * `inactive_file`; v1 hierarchical `total_inactive_file`, falling back to `inactive_file`) and v1's
 * `hierarchical_memory_limit` / `hierarchical_memsw_limit`, which include invisible ancestors.
 */
import { parseKeyValues } from "./key-values.js";
import { parseCgroupNumber, type CgroupNumber } from "./cgroup-number.js";

/** Inactive file bytes from memory.stat text; null when the key is absent. */
export function inactiveFile(text: string, version: "v1" | "v2"): number | null {
  const kv = parseKeyValues(text);
  if (version === "v1") return kv.get("total_inactive_file") ?? kv.get("inactive_file") ?? null;
  return kv.get("inactive_file") ?? null;
}

/** A v1 hierarchical limit key (`hierarchical_memory_limit`), with the unlimited spellings applied. */
export function hierarchicalLimit(
  text: string,
  key: "hierarchical_memory_limit" | "hierarchical_memsw_limit",
): CgroupNumber | null {
  for (const line of text.split("\n")) {
    const [name, value] = line.trim().split(/\s+/);
    if (name === key && value !== undefined) return parseCgroupNumber(value);
  }
  return null;
}
