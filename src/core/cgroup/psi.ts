/**
 * Parser for PSI files (/proc/pressure/{memory,cpu,io}, cgroup v2 `*.pressure`): `some` and `full` lines
 * of `key=value` tokens (avg10, avg60, avg300 in percent; total in microseconds). Unknown keys are ignored.
 */
export interface PressureStat {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Cumulative stall time in microseconds. */
  total: number;
}

export interface Pressure {
  some: PressureStat;
  /** Absent in the CPU pressure file of older kernels. */
  full: PressureStat | null;
}

function parseStat(tokens: readonly string[]): PressureStat | null {
  const values = new Map<string, number>();
  for (const token of tokens) {
    const eq = token.indexOf("=");
    if (eq <= 0) continue;
    const value = Number(token.slice(eq + 1));
    if (token.slice(eq + 1) !== "" && Number.isFinite(value)) values.set(token.slice(0, eq), value);
  }
  const avg10 = values.get("avg10");
  const avg60 = values.get("avg60");
  const avg300 = values.get("avg300");
  const total = values.get("total");
  if (avg10 === undefined || avg60 === undefined || avg300 === undefined || total === undefined) return null;
  return { avg10, avg60, avg300, total };
}

/** Parses a PSI file; null when it has no valid `some` line. */
export function parsePressure(text: string): Pressure | null {
  let some: PressureStat | null = null;
  let full: PressureStat | null = null;
  for (const line of text.split("\n")) {
    const [kind, ...tokens] = line.trim().split(/\s+/);
    if (kind === "some") some ??= parseStat(tokens);
    else if (kind === "full") full ??= parseStat(tokens);
  }
  return some === null ? null : { some, full };
}
