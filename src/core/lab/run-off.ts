/**
 * The run-off (`lab --repeat N`, N ≥ 2, with planned and grid configs). The matrix picks a tier's best
 * passing grid layout as the highest median of several noisy ones, and the highest of noisy figures
 * overstates its layout: six layouts of equal speed, passes that vary by 10 % (one standard deviation),
 * medians of 3 — the winner comes out 8 % high, and planned ÷ best reads 0.92 for a plan that is the
 * best layout itself (a simulation; the passes here vary about that much). So
 * after the tier's matrix the planned config and that winner run N more passes of heavy load each,
 * alternating (A B, B A, …: a drift of the machine's load hits both alike), each on a fresh instance,
 * and planned ÷ best is told from these passes, which did not choose the winner: the ratio of the
 * medians, with the spread of the rounds' paired ratios.
 */
import { medianOf } from "./repeats.js";
import type { Ratio } from "./compare.js";
import type { LabConfig, LabInstanceSpec, RunOff } from "./types.js";

/** The run-off's instances for a tier: `rounds` of planned and best, their order alternating. */
export function runOffSpecs(
  planned: LabInstanceSpec,
  best: LabConfig,
  rounds: number,
  firstRound: number,
): LabInstanceSpec[] {
  const specs: LabInstanceSpec[] = [];
  for (let r = 0; r < rounds; r++) {
    const pair = [planned.config, best];
    if (r % 2 === 1) pair.reverse();
    for (const config of pair)
      specs.push({ ...planned, config, scenarios: ["heavy"], round: firstRound + r });
  }
  return specs;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * planned ÷ best from a run-off: the ratio of the medians of the passes that measured requests/s, and
 * the lowest and highest ratio of a round's pair; null until one round has both figures.
 */
export function runOffRatio(runOff: RunOff): Ratio | null {
  const pairs = runOff.rounds.filter((r) => r.planned.rps !== null && r.best.rps !== null && r.best.rps > 0);
  if (pairs.length === 0) return null;
  const planned = medianOf(pairs.map((r) => r.planned.rps!))!;
  const best = medianOf(pairs.map((r) => r.best.rps!))!;
  const each = pairs.map((r) => r.planned.rps! / r.best.rps!);
  return {
    value: round3(planned / best),
    spread: [round3(Math.min(...each)), round3(Math.max(...each))],
  };
}

/** The medians of each side's requests/s in a run-off (null for a side with none). */
export function runOffMedians(runOff: RunOff): { planned: number | null; best: number | null } {
  const side = (pick: (r: RunOff["rounds"][number]) => number | null): number | null =>
    medianOf(runOff.rounds.map(pick).filter((v): v is number => v !== null));
  return { planned: side((r) => r.planned.rps), best: side((r) => r.best.rps) };
}

/** Whether every pass of the run-off passed its scenario. */
export function runOffPassed(runOff: RunOff): boolean {
  return runOff.rounds.every((r) => r.planned.passed && r.best.passed);
}
