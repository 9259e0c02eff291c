/**
 * The comparisons the lab reports: per tier, how the planned config's requests/s under heavy load
 * compares with the best passing grid layout (the 5 % criterion; from the tier's run-off when it ran)
 * and with gunicorn's default where the default passes — as a ratio of medians with its spread when
 * the cells were repeated — and the per-config failure totals. Cells are the merged ones (`mergeRepeats`).
 */
import { medianOf, rpsRange } from "./repeats.js";
import type { CellResult, Ratio, RunOff, RunOffRound } from "./types.js";

/**
 * `yes`: the median ratio reaches 0.95; `within noise`: it does not, but the spread does; `no`;
 * `host-bound`: a compared sandbox got much less CPU than its quota while its processes waited for one —
 * the machine's other load set the pace, and the ratio decides nothing.
 */
export type Verdict = "yes" | "within noise" | "no" | "host-bound";

/** A load cell whose sandbox used under 85 % of its quota while its processes waited for a CPU. */
export function hostBound(cell: CellResult | undefined): boolean {
  if (cell?.usedCpus === undefined || cell.waitCpus === undefined) return false;
  return cell.usedCpus < 0.85 * cell.cpus && cell.waitCpus >= 0.1;
}

export interface ThroughputComparison {
  tierBytes: number;
  plannedRps: number | null;
  plannedRange: [number, number] | null;
  plannedPassed: boolean;
  best: { config: string; label: string; rps: number; range: [number, number] } | null;
  /**
   * planned ÷ best, null when either is missing: from the tier's run-off when it ran (its medians and
   * the spread of its rounds), else from the matrix's passes.
   */
  ratio: number | null;
  ratioSpread: [number, number] | null;
  /** Within 5 % of the best passing grid layout (or better). */
  withinFivePercent: boolean | null;
  verdict: Verdict | null;
  /** Lowest and highest CPUs the tier's heavy cells used (null without the figure). */
  cpuRange: [number, number] | null;
  /**
   * gunicorn's common default at this tier: its requests/s, whether it passed, and planned ÷ default
   * (from the run-off when the default ran in it, else from the matrix's passes).
   */
  versusDefault: { rps: number; passed: boolean; ratio: Ratio | null; fromRunOff: boolean } | null;
  /** The run-off's figures, and planned ÷ best as the matrix's own passes told it (null: no run-off). */
  runOff: {
    rounds: number;
    plannedRps: number | null;
    bestRps: number | null;
    /** The default's median in the run-off (null when it did not run in it). */
    defaultRps: number | null;
    passed: boolean;
    matrixRatio: Ratio | null;
  } | null;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** a ÷ b of two merged cells' medians, with the spread of their passes; null when either is missing. */
export function rpsRatio(a: CellResult | undefined, b: CellResult | undefined): Ratio | null {
  const ra = rpsRange(a);
  const rb = rpsRange(b);
  if (a?.rps == null || b?.rps == null || ra === null || rb === null || b.rps === 0 || rb[0] === 0)
    return null;
  return { value: round3(a.rps / b.rps), spread: [round3(ra[0] / rb[1]), round3(ra[1] / rb[0])] };
}

/** The verdict of a ratio against 0.95. */
export function verdictOf(ratio: Ratio | null): Verdict | null {
  if (ratio === null) return null;
  if (ratio.value >= 0.95) return "yes";
  return ratio.spread[1] >= 0.95 ? "within noise" : "no";
}

/** Planned vs the heavy-load cell of the best grid layout that passed all its scenarios (and vs the default), per tier. */
export function compareThroughput(
  cells: readonly CellResult[],
  tiers: readonly number[],
  runOffs: readonly RunOff[] = [],
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
    const best =
      top === undefined
        ? null
        : { config: top.config, label: top.configLabel, rps: top.rps!, range: rpsRange(top)! };
    const matrixRatio = planned === null ? null : rpsRatio(planned, top);
    const runOff = runOffs.find((r) => r.tierBytes === tierBytes && r.best.config === top?.config);
    const runOffFigures = runOff === undefined ? null : runOffRatio(runOff);
    const ratio = runOffFigures ?? matrixRatio;
    const byDefault = heavy.find((c) => c.config === "default");
    const defaultPassed = byDefault !== undefined && !failedLayouts.has("default");
    const defaultRunOff = runOff?.default === undefined ? null : runOffRatio(runOff, "default");
    return {
      tierBytes,
      plannedRps: planned?.rps ?? null,
      plannedRange: rpsRange(planned ?? undefined),
      plannedPassed: planned?.passed ?? false,
      best,
      ratio: ratio?.value ?? null,
      ratioSpread: ratio?.spread ?? null,
      withinFivePercent: ratio === null ? null : ratio.value >= 0.95,
      verdict:
        ratio !== null && (hostBound(planned ?? undefined) || hostBound(top))
          ? "host-bound"
          : verdictOf(ratio),
      cpuRange: cpuRange(heavy),
      versusDefault:
        byDefault?.rps == null
          ? null
          : {
              rps: byDefault.rps,
              passed: defaultPassed,
              ratio: defaultRunOff ?? (planned === null ? null : rpsRatio(planned, byDefault)),
              fromRunOff: defaultRunOff !== null,
            },
      runOff:
        runOff === undefined
          ? null
          : {
              rounds: runOff.rounds.length,
              ...runOffRps(runOff),
              passed: runOffPassed(runOff),
              matrixRatio,
            },
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

function cpuRange(cells: readonly CellResult[]): [number, number] | null {
  const used = cells.map((c) => c.usedCpus).filter((v): v is number => v !== undefined);
  return used.length === 0 ? null : [Math.min(...used), Math.max(...used)];
}

/**
 * planned ÷ best (or ÷ the default) from a run-off: the ratio of the medians of the passes that
 * measured requests/s, and the lowest and highest ratio of a round's pair; null until one round has
 * both figures.
 */
export function runOffRatio(runOff: RunOff, against: "best" | "default" = "best"): Ratio | null {
  const other = (r: RunOffRound): number | null => r[against]?.rps ?? null;
  const pairs = runOff.rounds.filter((r) => r.planned.rps !== null && (other(r) ?? 0) > 0);
  if (pairs.length === 0) return null;
  const planned = medianOf(pairs.map((r) => r.planned.rps!))!;
  const opponent = medianOf(pairs.map((r) => other(r)!))!;
  const each = pairs.map((r) => r.planned.rps! / other(r)!);
  return {
    value: round3(planned / opponent),
    spread: [round3(Math.min(...each)), round3(Math.max(...each))],
  };
}

/** The medians of each side's requests/s in a run-off (null for a side with none). */
function runOffRps(runOff: RunOff): {
  plannedRps: number | null;
  bestRps: number | null;
  defaultRps: number | null;
} {
  const side = (pick: (r: RunOffRound) => number | null | undefined): number | null =>
    medianOf(runOff.rounds.map(pick).filter((v): v is number => v !== null && v !== undefined));
  return {
    plannedRps: side((r) => r.planned.rps),
    bestRps: side((r) => r.best.rps),
    defaultRps: side((r) => r.default?.rps),
  };
}

/** Whether every pass of the run-off passed its scenario. */
function runOffPassed(runOff: RunOff): boolean {
  return runOff.rounds.every((r) => r.planned.passed && r.best.passed && (r.default?.passed ?? true));
}
