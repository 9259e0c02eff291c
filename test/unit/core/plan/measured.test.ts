/** The planner on schema-2 measurements: supervisor, exit spike, CPU share — and schema-1 fallbacks. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { planGunicorn } from "../../../../src/core/plan/plan.js";
import { measuredSupervisor } from "../../../../src/core/plan/inputs.js";
import { cpuOptimum, idleCpuShare, ioProcesses } from "../../../../src/core/plan/workers.js";
import type { CpuProfile, Profile } from "../../../../src/core/profile/types.js";
import { box, input, MiB, slProfile } from "./fixtures.js";

/** The example app with EXAMPLE_BALLAST_MB=72, as `gwarden profile` measured it (schema 2). */
function exampleProfile(share = 0.715, spikeMiB = 21.5): Profile {
  const p = slProfile(true, { schema: 2 });
  p.master = { rss: 29 * MiB, pss: 18 * MiB, uss: 13 * MiB, swap: 0 };
  p.worker = { rss: 129 * MiB, pss: 119 * MiB, uss: 114.5 * MiB, swap: 0 };
  p.preload.master = { rss: 130.8 * MiB, pss: 46 * MiB, uss: 18 * MiB, swap: 0 };
  p.preload.workerPrivateBytes = 16.8 * MiB;
  p.preload.exitSpike = {
    bytes: spikeMiB * MiB,
    method: "cgroup",
    beforeBytes: 169 * MiB,
    peakBytes: (169 + spikeMiB) * MiB,
    seconds: 0.4,
  };
  const t = (request: string, cpuMs: number, blockedMs: number) => ({
    request,
    requests: 100,
    workers: 1,
    concurrency: 16,
    wallMs: 10,
    cpuMs,
    runqueueMs: 1,
    blockedMs,
    rps: 100,
  });
  const cpu: CpuProfile = { single: [t("/health", 0.44, 1.1), t("/db", 6.7, 1.75)], concurrent: null, share };
  p.cpu = cpu;
  return p;
}

describe("measured inputs (schema 2)", () => {
  it("plans preloaded sync workers at 256 MiB on 1 CPU for the example app, as many as its waits need", () => {
    // A profile where the app waited 29 % of a request: 2 processes would leave the CPU idle 8 %.
    const plan = planGunicorn(input(box(256, 1), exampleProfile()));
    expect(plan).toMatchObject({ workers: 3, threads: 1, preload: true });
    expect(plan.memory.transientBytes).toBe(21.5 * MiB);
    expect(plan.reasons["memory.transientBytes"]?.reason).toMatch(/measured by `profile`.*high-water mark/);
    expect(plan.reasons["cpuShare"]?.reason).toMatch(/\/db 6.7 ms CPU \+ 1.75 ms blocked/);
    expect(plan.reasons["workers"]?.arithmetic).toMatch(
      /\+ 1 for I\/O waits \(each process waiting 29 % of the time: the fewest that leave the CPUs idle ≤ 5 %, at most ⌈1⌉ \+ 1\) → 3/,
    );
    // Waiting 16 % (the profile of 7 December): a second process covers it; the lab's run-off had 2
    // preloaded workers 19 % faster than 3.
    const today = planGunicorn(input(box(256, 1), exampleProfile(0.842)));
    expect(today).toMatchObject({ workers: 2, threads: 1, preload: true });
  });

  it("falls back to the documented estimates for a schema-1 profile, and says so", () => {
    const old = slProfile(true);
    const plan = planGunicorn(input(box(512, 1), old));
    expect(plan.memory.transientBytes).toBe(70 * MiB);
    expect(plan.reasons["memory.transientBytes"]?.reason).toMatch(/not measured \(a schema-1 profile/);
    expect(plan.reasons["cpuShare"]).toMatchObject({ value: "unknown" });
    expect(plan.reasons["cpuShare"]?.reason).toMatch(/planned as CPU-bound/);
  });

  it("measures the supervisor: plan-time anonymous memory + growth, never under the documented peak", () => {
    expect(measuredSupervisor(4 * MiB).supervisorBytes).toBe(17 * MiB);
    const big = measuredSupervisor(14 * MiB);
    expect(big.supervisorBytes).toBe(22 * MiB);
    expect(big.supervisorSource).toMatch(/14 MiB of anonymous memory now \(RssAnon.*\+ 8 MiB/);
    const plan = planGunicorn(input(box(256, 1), exampleProfile(), big));
    expect(plan.memory.supervisorBytes).toBe(22 * MiB);
  });
});

describe("the CPU rule from the measured share", () => {
  it("adds processes only for measured waits, and never more than double the CPU rule", () => {
    expect(ioProcesses(1, null)).toBe(0);
    expect(ioProcesses(1, 1)).toBe(0);
    expect(ioProcesses(1, 0.95)).toBe(0);
    // The example app waits 16 % of a request: a second process covers it (idle 2.5 %), no third.
    expect(ioProcesses(1, 0.842)).toBe(0);
    expect(ioProcesses(1, 0.715)).toBe(1); // 2 processes leave 8 % idle, 3 leave 2.3 %
    expect(ioProcesses(1, 0.3)).toBe(2);
    expect(ioProcesses(1, 0.01)).toBe(2);
    expect(cpuOptimum(2, false, 0.5)).toBe(3 + 3);
  });

  it("estimates the CPUs' idle share from independent waits", () => {
    expect(idleCpuShare(1, 2, 0.842)).toBeCloseTo(0.158 ** 2, 6);
    expect(idleCpuShare(1, 3, 0.5)).toBeCloseTo(0.125, 6);
    // 2 CPUs, 3 processes, each runnable half the time: 2 CPUs idle 1/8, 1 CPU idle 3/8 → 5/8 of 2.
    expect(idleCpuShare(2, 3, 0.5)).toBeCloseTo(0.3125, 6);
    expect(idleCpuShare(1, 2, 1)).toBe(0);
  });

  it("property: the CPU optimum grows only as the share falls, and equals ⌈cpus⌉ + 1 (≥ 2) without waits", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 16, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (cpus, a, b) => {
          const [low, high] = a < b ? [a, b] : [b, a];
          expect(cpuOptimum(cpus, false, low)).toBeGreaterThanOrEqual(cpuOptimum(cpus, false, high));
          expect(cpuOptimum(cpus, false, 1)).toBe(Math.max(2, Math.ceil(cpus) + 1));
          expect(cpuOptimum(cpus, false, null)).toBe(cpuOptimum(cpus, false, 1));
        },
      ),
    );
  });

  it("property: an I/O-bound profile gets at least the CPU-bound concurrency, never over the memory ceiling", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 128, max: 8192 }),
        fc.constantFrom(0.5, 1, 2, 4),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 120 }),
        (m, cpus, share, spike) => {
          const p = exampleProfile(Math.round(share * 1000) / 1000 || 0.05, spike);
          const plan = planGunicorn(input(box(m, cpus), p));
          const cpuBound = planGunicorn(input(box(m, cpus), exampleProfile(1, spike)));
          if (!plan.memory.overLimit)
            expect(plan.memory.plannedBytes).toBeLessThanOrEqual(plan.memory.limitBytes);
          // Waiting buys concurrency — processes, or threads where processes do not fit — never less.
          expect(plan.workers * plan.threads).toBeGreaterThanOrEqual(cpuBound.workers * cpuBound.threads);
          // ...and a share this close to 1 is noise: the same plan as a CPU-bound app.
          const waiting = (cpus * (1 - p.cpu!.share)) / p.cpu!.share;
          if (waiting <= 0.1) expect(plan.workers).toBe(cpuBound.workers);
        },
      ),
      { numRuns: Number(process.env["GWARDEN_PROPERTY_RUNS"] ?? 300) },
    );
  });
});
