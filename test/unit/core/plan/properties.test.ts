import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { planGunicorn } from "../../../../src/core/plan/plan.js";
import { bootCountsInTimeout } from "../../../../src/core/plan/timeouts.js";
import { box, input, MiB, slProfile } from "./fixtures.js";

const memMiB = fc.integer({ min: 64, max: 16384 });
const cpus = fc.oneof(fc.integer({ min: 1, max: 16 }), fc.double({ min: 0.1, max: 8, noNaN: true }));
const profile = fc.option(
  fc.record({
    safe: fc.boolean(),
    importSeconds: fc.double({ min: 0.05, max: 120, noNaN: true }),
    workerMiB: fc.integer({ min: 5, max: 600 }),
    preloadMiB: fc.integer({ min: 1, max: 100 }),
  }),
  { nil: null },
);
const policy = fc.record({
  lowMemory: fc.boolean(),
  dbOnBox: fc.boolean(),
  supervisorInGroup: fc.boolean(),
  allowThreads: fc.boolean(),
  gunicornVersion: fc.constantFrom(null, "19.9.0", "20.1.0", "21.2.0", "22.0.0", "23.0.0", "26.2.2"),
  postgresMaxConnections: fc.integer({ min: 11, max: 500 }),
});

type Gen = { safe: boolean; importSeconds: number; workerMiB: number; preloadMiB: number } | null;
function toProfile(g: Gen) {
  if (g === null) return null;
  const p = slProfile(g.safe, { importSeconds: g.importSeconds });
  p.worker = { rss: (g.workerMiB + 18) * MiB, pss: g.workerMiB * MiB, uss: g.workerMiB * MiB, swap: 0 };
  p.preload.workerPrivateBytes = g.preloadMiB * MiB;
  return p;
}

describe("planner properties", () => {
  it("fits when fewer workers would mean more threads and PostgreSQL connections (a shrunk counterexample)", () => {
    const pol = {
      lowMemory: true,
      dbOnBox: true,
      supervisorInGroup: false,
      allowThreads: true,
      gunicornVersion: null,
      postgresMaxConnections: 26,
    };
    const plan = planGunicorn(
      input(box(350, 4), toProfile({ safe: true, importSeconds: 0.05, workerMiB: 5, preloadMiB: 1 }), pol),
    );
    expect(plan.memory.overLimit).toBe(false);
    expect(plan.memory.plannedBytes).toBeLessThanOrEqual(plan.memory.limitBytes);
  });

  it("plans ≥ 1 worker, and fits the limit whenever it says it does", () => {
    fc.assert(
      fc.property(memMiB, cpus, profile, policy, (m, c, g, pol) => {
        const plan = planGunicorn(input(box(m, c), toProfile(g), pol));
        expect(plan.workers).toBeGreaterThanOrEqual(1);
        expect(plan.threads).toBeGreaterThanOrEqual(1);
        expect(plan.minWorkers).toBeLessThanOrEqual(plan.workers);
        expect(plan.maxWorkers).toBeGreaterThanOrEqual(plan.workers);
        if (!plan.memory.overLimit)
          expect(plan.memory.plannedBytes).toBeLessThanOrEqual(plan.memory.limitBytes);
        else expect(plan.warnings.join(" ")).toMatch(/does not fit/);
      }),
      { numRuns: Number(process.env["GWARDEN_PROPERTY_RUNS"] ?? 400) },
    );
  });

  it("never plans fewer workers for more memory", () => {
    fc.assert(
      fc.property(memMiB, fc.integer({ min: 1, max: 4096 }), cpus, profile, policy, (m, extra, c, g, pol) => {
        const small = planGunicorn(input(box(m, c), toProfile(g), pol));
        const big = planGunicorn(input(box(m + extra, c), toProfile(g), pol));
        expect(big.workers).toBeGreaterThanOrEqual(small.workers);
      }),
      { numRuns: Number(process.env["GWARDEN_PROPERTY_RUNS"] ?? 400) },
    );
  });

  it("keeps timeout ≥ the boot time on gunicorn ≤ 21", () => {
    fc.assert(
      fc.property(memMiB, cpus, profile, policy, (m, c, g, pol) => {
        const plan = planGunicorn(input(box(m, c), toProfile(g), pol));
        if (!bootCountsInTimeout(pol.gunicornVersion)) return;
        const importSeconds = g?.importSeconds ?? 4;
        const starvation = Math.max(1, plan.workers / c);
        expect(plan.timeout).toBeGreaterThanOrEqual(importSeconds * starvation);
        expect(plan.timeout).toBeGreaterThanOrEqual(plan.bootDeadline);
      }),
      { numRuns: Number(process.env["GWARDEN_PROPERTY_RUNS"] ?? 400) },
    );
  });

  it("keeps all DB connections under max_connections − reserve", () => {
    fc.assert(
      fc.property(memMiB, cpus, profile, policy, (m, c, g, pol) => {
        const plan = planGunicorn(input(box(m, c), toProfile(g), pol));
        const reserve = 10;
        expect(plan.database.totalConnections).toBeLessThanOrEqual(
          plan.database.postgresMaxConnections - reserve,
        );
        expect(plan.database.totalConnections).toBeLessThanOrEqual(pol.postgresMaxConnections - reserve);
        expect(plan.database.poolSize).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: Number(process.env["GWARDEN_PROPERTY_RUNS"] ?? 400) },
    );
  });

  it("gives every numeric value a reason with MiB arithmetic for the budget", () => {
    fc.assert(
      fc.property(memMiB, cpus, profile, policy, (m, c, g, pol) => {
        const plan = planGunicorn(input(box(m, c), toProfile(g), pol));
        expect(plan.reasons["memory.plannedBytes"]?.arithmetic).toMatch(/MiB (≤|>) [\d.]+ MiB limit$/);
        for (const r of Object.values(plan.reasons)) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
  });
});
