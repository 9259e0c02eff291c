/**
 * The comparisons the lab reports: per tier, how the planned config's requests/s under heavy load
 * compares with the best passing grid cell (the 5 % criterion), and the per-config failure totals.
 */
import type { CellResult } from "./types.js";

export interface ThroughputComparison {
  tierBytes: number;
  plannedRps: number | null;
  plannedPassed: boolean;
  best: { config: string; label: string; rps: number } | null;
  /** planned ÷ best, null when either is missing. */
  ratio: number | null;
  /** Within 5 % of the best passing grid cell (or better). */
  withinFivePercent: boolean | null;
}

/** Planned vs the heavy-load cell of the best grid layout that passed all its scenarios, per tier. */
export function compareThroughput(
  cells: readonly CellResult[],
  tiers: readonly number[],
): ThroughputComparison[] {
  return tiers.map((tierBytes) => {
    const heavy = cells.filter((c) => c.tierBytes === tierBytes && c.scenario === "heavy" && !c.skipped);
    const planned = heavy.find((c) => c.config === "planned") ?? null;
    // A layout passes when every cell it ran passed (a fast heavy cell does not make up for a reload that failed).
    const failedLayouts = new Set(
      cells.filter((c) => c.tierBytes === tierBytes && !c.skipped && !c.passed).map((c) => c.config),
    );
    const grid = heavy
      .filter((c) => c.config.startsWith("grid-") && !failedLayouts.has(c.config) && c.rps !== null)
      .sort((a, b) => b.rps! - a.rps!);
    const top = grid[0];
    const best = top === undefined ? null : { config: top.config, label: top.configLabel, rps: top.rps! };
    const plannedRps = planned?.rps ?? null;
    const ratio =
      best === null || plannedRps === null || best.rps === 0
        ? null
        : Math.round((plannedRps / best.rps) * 1000) / 1000;
    return {
      tierBytes,
      plannedRps,
      plannedPassed: planned?.passed ?? false,
      best,
      ratio,
      withinFivePercent: ratio === null ? null : ratio >= 0.95,
    };
  });
}

export interface FailureTotals {
  workerTimeouts: number;
  oomKills: number;
  failedRequests: number;
  requests: number;
  failedCells: number;
  cells: number;
}

/** Totals of one config at one tier over the cells that ran (the OOM scenario's provoked kills left out). */
export function failureTotals(
  cells: readonly CellResult[],
  tierBytes: number,
  config: string,
): FailureTotals | null {
  const mine = cells.filter((c) => c.tierBytes === tierBytes && c.config === config && !c.skipped);
  if (mine.length === 0) return null;
  const sum = (f: (c: CellResult) => number) => mine.reduce((total, c) => total + f(c), 0);
  return {
    workerTimeouts: sum((c) => c.workerTimeouts),
    oomKills: sum((c) => (c.scenario === "oom" ? 0 : c.oomKills)),
    failedRequests: sum((c) => c.failedRequests),
    requests: sum((c) => c.requests),
    failedCells: mine.filter((c) => !c.passed).length,
    cells: mine.length,
  };
}

/** The cell of a (tier, config, scenario), if it ran. */
export function cellOf(
  cells: readonly CellResult[],
  tierBytes: number,
  config: string,
  scenario: string,
): CellResult | undefined {
  return cells.find(
    (c) => c.tierBytes === tierBytes && c.config === config && c.scenario === scenario && !c.skipped,
  );
}
