/**
 * `/proc/<pid>/smaps_rollup` (Linux ≥ 4.14): one process's memory summed over all its mappings, as
 * `Name:   <n> kB` lines after a `[rollup]` header. RSS counts shared pages in full, PSS divides them
 * among the processes sharing them, USS (Private_Clean + Private_Dirty) is what the process alone
 * costs: the memory freed if it exits.
 */
export interface ProcessMemory {
  rss: number;
  pss: number;
  /** Private_Clean + Private_Dirty: what this process alone costs. */
  uss: number;
  swap: number;
}

/** Every `Name: value kB` field of a smaps_rollup text, in bytes (unknown units are skipped). */
export function parseSmapsFields(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z_]+):\s+(\d+)\s*(kB)?\s*$/.exec(line.trim());
    if (!match) continue;
    const value = Number(match[2]);
    fields.set(match[1]!, match[3] === "kB" ? value * 1024 : value);
  }
  return fields;
}

/** RSS, PSS, USS and swap of one process from its smaps_rollup text; null when it has no `Rss` line. */
export function parseSmapsRollup(text: string): ProcessMemory | null {
  const fields = parseSmapsFields(text);
  const rss = fields.get("Rss");
  if (rss === undefined) return null;
  return {
    rss,
    pss: fields.get("Pss") ?? rss,
    uss: (fields.get("Private_Clean") ?? 0) + (fields.get("Private_Dirty") ?? 0),
    swap: fields.get("Swap") ?? 0,
  };
}
