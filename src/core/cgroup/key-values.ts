/**
 * Parser for flat `key value` files: memory.stat, memory.events, memory.oom_control, cpu.stat,
 * /proc/meminfo (`MemTotal:   123 kB`). Whole keys only (`inactive_file` is not `total_inactive_file`).
 */

/** Maps each key to its number (the first numeric field after it); lines without a number are skipped. */
export function parseKeyValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const key = fields[0]?.replace(/:$/, "");
    const raw = fields[1];
    if (!key || raw === undefined || !/^-?\d+$/.test(raw)) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || values.has(key)) continue;
    values.set(key, value);
  }
  return values;
}
