/** What `analyze` concludes from a log: the finding contract of DESIGN.md, and the facts rules read. */
import type { HardDeath } from "../events/lifecycle.js";
import type { GunicornEvent } from "../events/types.js";

export { msOf } from "../events/time.js";

export type Severity = "critical" | "warning" | "info";

export interface Finding {
  /** Stable kebab-case code, e.g. `boot-timeout-loop`. */
  code: string;
  severity: Severity;
  message: string;
  /** Indexes into the report's `events`, and the raw lines behind them (at most a few). */
  evidence: { events: number[]; lines: string[] };
  fix: string;
}

/** What the rules see: the ordered, classified events and what the state machine inferred. */
export interface FindingInput {
  events: readonly GunicornEvent[];
  version?: string;
  /** Replacement boots with no death line before them, at the replacement's event index. */
  hardDeaths: ReadonlyArray<{ index: number; death: HardDeath }>;
  /** Each HUP: its index, live workers before, and the peak while reloading. */
  hups: ReadonlyArray<{ index: number; before: number; peak: number }>;
}

/** The evidence block for some event indexes (lines capped at 6). */
export function evidence(events: readonly GunicornEvent[], indexes: readonly number[]): Finding["evidence"] {
  const lines: string[] = [];
  for (const i of indexes.slice(0, 6)) {
    const line = events[i]?.line;
    if (line !== undefined) lines.push(line);
  }
  return { events: [...indexes], lines };
}

/** The major version number, when known. */
export function majorOf(version: string | undefined): number | undefined {
  const m = version === undefined ? null : /^(\d+)\./.exec(version);
  return m ? Number(m[1]) : undefined;
}
