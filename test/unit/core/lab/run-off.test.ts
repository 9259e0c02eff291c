import { describe, expect, it } from "vitest";
import { compareThroughput, runOffRatio } from "../../../../src/core/lab/compare.js";
import { mergeRepeats, runOffSpecs } from "../../../../src/core/lab/repeats.js";
import { renderSummary } from "../../../../src/core/lab/summary.js";
import type { LabConfig, LabInstanceSpec, RunOff } from "../../../../src/core/lab/types.js";
import { tierLine } from "../../../../src/core/lab/progress.js";
import { cell } from "./cell-fixture.js";

const MiB = 1024 * 1024;
const tier = 256 * MiB;
const config = (name: string, kind: LabConfig["kind"]): LabConfig => ({
  name,
  kind,
  workers: 3,
  threads: 1,
  preload: true,
  flags: [],
  label: "3×1 sync preload",
});
const planned: LabInstanceSpec = {
  tierBytes: tier,
  cpus: 1,
  config: config("planned", "planned"),
  scenarios: ["startup", "lifecycle", "heavy"],
  connections: 16,
  round: 1,
};
const round = (p: number | null, b: number | null, passed = true) => ({
  planned: { rps: p, passed },
  best: { rps: b, passed: true },
});
const runOff = (rounds: RunOff["rounds"]): RunOff => ({
  tierBytes: tier,
  best: { config: "grid-w3-t1-preload", label: "3×1 sync preload" },
  rounds,
});

describe("the run-off", () => {
  it("runs planned and the winner in alternating order, heavy load alone, numbered after the matrix's passes", () => {
    const specs = runOffSpecs(planned, [config("grid-w3-t1-preload", "grid")], 3, 4);
    expect(specs.map((s) => `${s.config.name}/${s.round}`)).toEqual([
      "planned/4",
      "grid-w3-t1-preload/4",
      "grid-w3-t1-preload/5",
      "planned/5",
      "planned/6",
      "grid-w3-t1-preload/6",
    ]);
    expect(specs.every((s) => s.scenarios.join() === "heavy" && s.connections === 16)).toBe(true);
  });

  it("runs the default in the same rounds, reversing the order each round", () => {
    const specs = runOffSpecs(planned, [config("grid-w2-t1", "grid"), config("default", "default")], 2, 3);
    expect(specs.map((s) => `${s.config.name}/${s.round}`)).toEqual([
      "planned/3",
      "grid-w2-t1/3",
      "default/3",
      "default/4",
      "grid-w2-t1/4",
      "planned/4",
    ]);
  });

  it("tells planned ÷ default from the run-off where the default ran in it, from the matrix elsewhere", () => {
    const cells = mergeRepeats([
      cell({ tierBytes: tier, config: "planned", rps: 300 }),
      cell({ tierBytes: tier, config: "grid-w3-t1-preload", configLabel: "3×1 sync preload", rps: 360 }),
      cell({ tierBytes: tier, config: "default", configLabel: "1×1 sync", rps: 330 }),
    ]);
    const withDefault: RunOff = {
      ...runOff([
        { ...round(320, 325), default: { rps: 300, passed: true } },
        { ...round(330, 320), default: { rps: 310, passed: true } },
        { ...round(315, 330), default: { rps: 320, passed: false } },
      ]),
      default: { config: "default", label: "1×1 sync" },
    };
    const [c] = compareThroughput(cells, [tier], [withDefault]);
    expect(c!.versusDefault).toEqual({
      rps: 330,
      passed: true,
      ratio: { value: 1.032, spread: [0.984, 1.067] },
      fromRunOff: true,
    });
    expect(c!.runOff).toMatchObject({ defaultRps: 310, passed: false });
    expect(runOffRatio(withDefault, "default")).toEqual({ value: 1.032, spread: [0.984, 1.067] });
    // Without the default in the run-off: the matrix's passes, 300 ÷ 330.
    const [m] = compareThroughput(cells, [tier], [runOff([round(320, 325)])]);
    expect(m!.versusDefault).toMatchObject({ ratio: { value: 0.909 }, fromRunOff: false });
  });

  it("tells planned ÷ best from its own passes: the ratio of medians, the spread of the rounds' pairs", () => {
    expect(runOffRatio(runOff([round(300, 320), round(330, 310), round(310, 330)]))).toEqual({
      value: 0.969,
      spread: [0.938, 1.065],
    });
    expect(runOffRatio(runOff([round(null, 320)]))).toBeNull();
  });

  it("replaces the matrix's ratio (biased by picking the highest median) and keeps it beside", () => {
    // The matrix: the grid's winner read 360 in its passes, planned 300 — 0.83.
    const cells = mergeRepeats([
      cell({ tierBytes: tier, config: "planned", rps: 300 }),
      cell({ tierBytes: tier, config: "grid-w3-t1-preload", configLabel: "3×1 sync preload", rps: 360 }),
      cell({ tierBytes: tier, config: "grid-w2-t1", configLabel: "2×1 sync", rps: 340 }),
    ]);
    const off = runOff([round(320, 325), round(330, 320), round(315, 330)]);
    const [c] = compareThroughput(cells, [tier], [off]);
    expect(c).toMatchObject({
      ratio: 0.985,
      verdict: "yes",
      runOff: { rounds: 3, plannedRps: 320, bestRps: 325, passed: true, matrixRatio: { value: 0.833 } },
    });
    // A run-off of another layout (the matrix's winner changed) is not this tier's.
    const other = { ...off, best: { config: "grid-w2-t1", label: "2×1 sync" } };
    expect(compareThroughput(cells, [tier], [other])[0]).toMatchObject({ ratio: 0.833, runOff: null });
    expect(tierLine(cells, tier, [off])).toContain("(run-off; the matrix's passes: 0.83");
  });

  it("shows the run-off's figures and a failed pass in summary.md", () => {
    const cells = [
      cell({ tierBytes: tier, config: "planned", rps: 300 }),
      cell({ tierBytes: tier, config: "grid-w3-t1-preload", configLabel: "3×1 sync preload", rps: 360 }),
    ];
    const summary = renderSummary({
      command: "gwarden lab --repeat 3",
      startedAt: "2026-12-07T17:00:00.000Z",
      cpus: 1,
      quick: false,
      repeat: 3,
      gunicornVersion: "20.1.0",
      sizes: null,
      instances: [
        { tierBytes: tier, config: planned.config },
        { tierBytes: tier, config: config("grid-w3-t1-preload", "grid") },
      ],
      cells,
      traces: [],
      notes: [],
      runOffs: [runOff([round(320, 325), round(330, 320, false), round(315, 330)])],
      complete: true,
    });
    expect(summary).toContain("**run-off**");
    expect(summary).toMatch(/\| 320 \(a pass failed\) \| 325 \| — \| 0\.83 \|/);
  });
});
