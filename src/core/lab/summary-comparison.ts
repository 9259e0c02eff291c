/**
 * summary.md's throughput section: per tier, planned ÷ the best grid layout that passed every scenario
 * and planned ÷ gunicorn's default where the default passed (both from the tier's run-off when it ran) —
 * medians of the `--repeat` passes, with the spread of the passes — and the verdict against 0.95
 * (within noise when only the spread reaches it).
 */
import { compareThroughput, type ThroughputComparison } from "./compare.js";
import { tierLabel } from "./matrix.js";
import type { LabRunData, Ratio } from "./types.js";

const num = (v: number | null | undefined): string => (v === null || v === undefined ? "—" : v.toFixed(0));

function rpsText(rps: number | null, range: [number, number] | null): string {
  if (rps === null) return "—";
  return range === null || range[0] === range[1]
    ? num(rps)
    : `${num(rps)} (${num(range[0])}–${num(range[1])})`;
}

/** `0.97 (0.90–1.05)`. */
export function ratioText(ratio: Ratio | null): string {
  if (ratio === null) return "—";
  const [lo, hi] = ratio.spread;
  return lo === hi ? ratio.value.toFixed(2) : `${ratio.value.toFixed(2)} (${lo.toFixed(2)}–${hi.toFixed(2)})`;
}

function plannedRatio(c: ThroughputComparison): Ratio | null {
  return c.ratio === null || c.ratioSpread === null ? null : { value: c.ratio, spread: c.ratioSpread };
}

function defaultText(c: ThroughputComparison): string {
  const d = c.versusDefault;
  if (d === null) return "—";
  if (!d.passed) return "default failed";
  return ratioText(d.ratio);
}

/** The run-off's columns: each side's median requests/s, and what the matrix's passes said. */
function runOffCells(c: ThroughputComparison): string[] {
  const r = c.runOff;
  if (r === null) return ["—", "—", "—", "—"];
  const failed = r.passed ? "" : " (a pass failed)";
  return [`${num(r.plannedRps)}${failed}`, num(r.bestRps), num(r.defaultRps), ratioText(r.matrixRatio)];
}

/** The markdown lines of the section (a heading, a sentence, a table). */
export function comparisonSection(data: LabRunData, tiers: readonly number[]): string[] {
  const rows = compareThroughput(data.cells, tiers, data.runOffs).filter(
    (c) => c.best !== null || c.plannedRps !== null,
  );
  const repeat = data.repeat ?? 1;
  const runOffs = rows.some((c) => c.runOff !== null);
  const header = [
    "Tier",
    "planned",
    "planned rps",
    "best passing grid layout",
    "its rps",
    "planned ÷ best",
    "≥ 0.95",
    "default rps",
    "planned ÷ default",
    "CPU used (of the quota)",
    ...(runOffs
      ? [
          "run-off: planned rps",
          "run-off: best rps",
          "run-off: default rps",
          "the matrix's passes: planned ÷ best",
        ]
      : []),
  ];
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    "",
    "## Planned vs the grid's best passing layout and the default (heavy load, requests/s)",
    "",
    repeat > 1
      ? `Medians of ${repeat} passes (each on a fresh instance, configs alternating), the lowest–highest pass in brackets; a ratio's spread is lowest ÷ highest to highest ÷ lowest. Every config of a tier got the same offered load.`
      : "One pass (`--repeat N` gives medians and spreads). Every config of a tier got the same offered load.",
    ...(runOffs
      ? [
          "",
          `planned ÷ best is told by each tier's **run-off**: after the tier's matrix, the planned config and the best passing grid layout ran ${repeat} more heavy passes each (twice as long as the matrix's), alternating, on fresh instances; the ratio of their medians, with the lowest and highest ratio of a round's pair. The matrix's own passes chose the winner, and the highest of several noisy medians overstates its layout (six equal layouts whose passes vary by 10 %: the winner reads 8 % high); their ratio is in the last column. Where gunicorn's default passed every scenario it ran in the same rounds (A B C, C B A), and planned ÷ default is told by those passes too.`,
        ]
      : []),
    "",
    line(header),
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((c) =>
      line([
        tierLabel(c.tierBytes),
        data.instances.find((i) => i.tierBytes === c.tierBytes && i.config.name === "planned")?.config
          .label ?? "—",
        `${rpsText(c.plannedRps, c.plannedRange)}${c.plannedPassed ? "" : " (failed)"}`,
        c.best?.label ?? "—",
        c.best === null ? "—" : rpsText(c.best.rps, c.best.range),
        ratioText(plannedRatio(c)),
        c.verdict ?? "—",
        c.versusDefault === null ? "—" : num(c.versusDefault.rps),
        defaultText(c),
        c.cpuRange === null ? "—" : `${c.cpuRange[0].toFixed(2)}–${c.cpuRange[1].toFixed(2)} of ${data.cpus}`,
        ...(runOffs ? runOffCells(c) : []),
      ]),
    ),
    ...(rows.some((c) => c.verdict === "host-bound")
      ? [
          "",
          "**host-bound**: a compared sandbox used well under its CPU quota while its processes waited for a CPU — the machine's other load, not the configuration, set these requests/s. Re-measure on a quiet machine.",
        ]
      : []),
  ];
}
