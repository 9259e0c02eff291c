import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cpuPercent, cpuSeconds } from "../../../../src/core/proc/cpu-percent.js";

describe("cpuPercent", () => {
  it("is 100 for one full core and 50 for half", () => {
    expect(cpuPercent({ ticks: 0, atMs: 0 }, { ticks: 100, atMs: 1000 })).toBe(100);
    expect(cpuPercent({ ticks: 10, atMs: 1000 }, { ticks: 110, atMs: 3000 })).toBe(50);
  });

  it("is null for a zero interval or a counter that went backwards", () => {
    expect(cpuPercent({ ticks: 0, atMs: 5 }, { ticks: 1, atMs: 5 })).toBeNull();
    expect(cpuPercent({ ticks: 9, atMs: 0 }, { ticks: 1, atMs: 1000 })).toBeNull();
  });

  it("is never negative and scales with ticks", () => {
    fc.assert(
      fc.property(fc.nat(1e6), fc.nat(1e5), fc.integer({ min: 1, max: 1e6 }), (ticks, delta, elapsed) => {
        const percent = cpuPercent({ ticks, atMs: 0 }, { ticks: ticks + delta, atMs: elapsed })!;
        expect(percent).toBeGreaterThanOrEqual(0);
        expect(percent).toBeCloseTo((delta * 1000) / elapsed, 6);
      }),
    );
  });

  it("converts ticks to seconds", () => {
    expect(cpuSeconds(14, 4)).toBe(0.18);
  });
});
