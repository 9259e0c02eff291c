/**
 * `lab --repeat N`: the throughput cell of every (tier, config) runs N times, each on a fresh instance.
 * The outputs show one row per (tier, config, scenario): requests/s, p50 and p99 are the medians of the
 * passes (every pass's requests/s kept in `rpsRuns` for the spread), counts are summed, and a cell
 * passes only when every pass did. Then, per tier, the run-off (below).
 */
import type { CellResult, LabConfig, LabInstanceSpec } from "./types.js";

/** The median of some numbers (null for none). */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const key = (c: CellResult): string => `${c.tierBytes}\u0000${c.config}\u0000${c.scenario}`;

function merge(passes: readonly CellResult[]): CellResult {
  const first = passes[0]!;
  if (passes.length === 1) return first;
  const figures = (f: (c: CellResult) => number | null): number[] =>
    passes.map(f).filter((v): v is number => v !== null);
  const sum = (f: (c: CellResult) => number): number => passes.reduce((total, c) => total + f(c), 0);
  const peaks = figures((c) => c.peakMemoryBytes);
  const rpsRuns = figures((c) => c.rps);
  return {
    ...first,
    workerTimeouts: sum((c) => c.workerTimeouts),
    oomKills: sum((c) => c.oomKills),
    failedRequests: sum((c) => c.failedRequests),
    requests: sum((c) => c.requests),
    workerDeaths: sum((c) => c.workerDeaths),
    rps: medianOf(rpsRuns),
    p50Ms: medianOf(figures((c) => c.p50Ms)),
    p99Ms: medianOf(figures((c) => c.p99Ms)),
    peakMemoryBytes: peaks.length === 0 ? null : Math.max(...peaks),
    passed: passes.every((c) => c.passed),
    rpsRuns,
    ...(first.usedCpus === undefined ? {} : { usedCpus: medianOf(figures((c) => c.usedCpus ?? null))! }),
    ...(first.waitCpus === undefined ? {} : { waitCpus: medianOf(figures((c) => c.waitCpus ?? null))! }),
    note: passes.length > 1 ? `${first.note} (${passes.length} passes)` : first.note,
    events: passes.flatMap((c) => c.events),
    log: first.log,
  };
}

/** One cell per (tier, config, scenario), in first-seen order, the passes of `--repeat` merged. */
export function mergeRepeats(cells: readonly CellResult[]): CellResult[] {
  const groups = new Map<string, CellResult[]>();
  for (const cell of cells) {
    const list = groups.get(key(cell));
    if (list) list.push(cell);
    else groups.set(key(cell), [cell]);
  }
  return [...groups.values()].map(merge);
}

/** The lowest and highest requests/s of a merged cell's passes (its own figure for a single pass). */
export function rpsRange(cell: CellResult | undefined): [number, number] | null {
  if (cell === undefined || cell.rps === null) return null;
  const runs = cell.rpsRuns && cell.rpsRuns.length > 0 ? cell.rpsRuns : [cell.rps];
  return [Math.min(...runs), Math.max(...runs)];
}

/*
 * The run-off (`lab --repeat N`, N ≥ 2, with planned and grid configs). The matrix picks a tier's best
 * passing grid layout as the highest median of several noisy ones, and the highest of noisy figures
 * overstates its layout: six layouts of equal speed, passes that vary by 10 % (one standard deviation),
 * medians of 3 — the winner comes out 8 % high, and planned ÷ best reads 0.92 for a plan that is the
 * best layout itself (a simulation; the passes here vary about that much). So
 * after the tier's matrix the planned config and that winner run N more passes of heavy load each,
 * alternating (A B, B A, …: a drift of the machine's load hits both alike), each on a fresh instance,
 * and planned ÷ best is told from these passes, which did not choose the winner: the ratio of the
 * medians, with the spread of the rounds' paired ratios (`runOffRatio`, compare.ts). Where gunicorn's
 * default passed every scenario it runs in the same rounds (A B C, C B A: a linear drift hits every
 * pair alike), and "never slower than the default" is told the same way.
 */

/** The run-off's instances for a tier: `rounds` of planned and its opponents, their order alternating. */
export function runOffSpecs(
  planned: LabInstanceSpec,
  opponents: readonly LabConfig[],
  rounds: number,
  firstRound: number,
): LabInstanceSpec[] {
  const specs: LabInstanceSpec[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = [planned.config, ...opponents];
    if (r % 2 === 1) order.reverse();
    for (const config of order)
      specs.push({ ...planned, config, scenarios: ["heavy"], round: firstRound + r });
  }
  return specs;
}
