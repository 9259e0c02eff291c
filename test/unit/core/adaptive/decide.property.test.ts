import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { median } from "../../../../src/core/adaptive/recycle.js";
import { MiB, newWorld, step, steps, testConfig, type Tick } from "./world.js";

const tickArb: fc.Arbitrary<Tick> = fc.record({
  baseBytes: fc.integer({ min: 0, max: 1100 }).map((m) => m * MiB),
  backlog: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 20 })),
  busy: fc.oneof(fc.constant(null), fc.constant("all" as const), fc.integer({ min: 0, max: 1 })),
  uss: fc.integer({ min: 40, max: 400 }).map((m) => m * MiB),
  reportCount: fc.boolean(),
});

const planArb = fc.record({
  workers: fc.integer({ min: 1, max: 5 }),
  minWorkers: fc.integer({ min: 1, max: 3 }),
  extra: fc.integer({ min: 0, max: 4 }),
});

describe("decide: properties over random recorded sequences", () => {
  it("stays within [min, max], sends at most one signal per tick, never scales up for load when a worker would not fit", () => {
    fc.assert(
      fc.property(planArb, fc.array(tickArb, { minLength: 1, maxLength: 120 }), (p, ticks) => {
        const min = Math.min(p.minWorkers, p.workers);
        const max = p.workers + p.extra;
        const world = newWorld(testConfig({ workers: p.workers, minWorkers: min, maxWorkers: max }));
        for (const tick of ticks) {
          const d = step(world, tick);
          expect(d.actions.length).toBeLessThanOrEqual(1);
          expect(world.state.target).toBeGreaterThanOrEqual(min);
          expect(world.state.target).toBeLessThanOrEqual(max);
          const input = world.inputs[world.inputs.length - 1]!;
          for (const event of d.events) {
            if (event.kind !== "scale_up" || !event.reason.startsWith("load:")) continue;
            const perWorker = median(input.workers.map((w) => w.uss!))!;
            expect(input.workingSetBytes! + perWorker).toBeLessThanOrEqual(world.config.limitBytes * 0.8);
            expect(event.to).toBeLessThanOrEqual(max);
          }
          for (const event of d.events)
            if (event.kind === "scale_down" && !event.reason.startsWith("re-apply"))
              expect(event.to).toBeGreaterThanOrEqual(min);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("no oscillation: any steady input comes to rest (no signal over the last 200 of 400 ticks)", () => {
    fc.assert(
      fc.property(planArb, tickArb, (p, tick) => {
        const world = newWorld(
          testConfig({
            workers: p.workers,
            minWorkers: Math.min(p.minWorkers, p.workers),
            maxWorkers: p.workers + p.extra,
            recycleBytes: 500 * MiB,
          }),
        );
        steps(world, 200, tick);
        const late = steps(world, 200, tick);
        expect(late.flatMap((d) => d.actions)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("memory safety first: a critical tick never gets a TTIN", () => {
    fc.assert(
      fc.property(fc.array(tickArb, { minLength: 1, maxLength: 80 }), (ticks) => {
        const world = newWorld(testConfig({ workers: 3, minWorkers: 1, maxWorkers: 6 }));
        for (const tick of ticks) {
          const d = step(world, tick);
          const input = world.inputs[world.inputs.length - 1]!;
          const critical = input.workingSetBytes! >= world.config.limitBytes * 0.93;
          if (critical)
            expect(d.events.filter((e) => e.kind === "scale_up" && !e.reason.startsWith("re-apply"))).toEqual(
              [],
            );
        }
      }),
      { numRuns: 300 },
    );
  });
});
