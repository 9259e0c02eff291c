import { describe, expect, it } from "vitest";
import { initialAdaptiveState } from "../../../../src/core/adaptive/config.js";
import { needsFreshMemory } from "../../../../src/core/adaptive/memory-watch.js";
import { recycleBudget } from "../../../../src/core/adaptive/recycle.js";
import type { AdaptiveInput } from "../../../../src/core/adaptive/types.js";
import { MiB, testConfig } from "./world.js";

const config = testConfig();
const limit = config.limitBytes;
const rest = initialAdaptiveState(config);
const budget = recycleBudget(rest, config);

function input(ratio: number, uss: number | null = 10 * MiB): AdaptiveInput {
  return {
    atMs: 0,
    limitBytes: limit,
    workingSetBytes: Math.round(ratio * limit),
    swapUsageBytes: null,
    psi: null,
    highEvents: null,
    maxEvents: null,
    backlogQueued: 0,
    workers: [{ pid: 1, uss, busy: 0, ready: true }],
    gunicornWorkers: 1,
    reloads: 0,
    cpuUsed: null,
  };
}

describe("needsFreshMemory", () => {
  it("rests while the group and every worker are far from a threshold", () => {
    expect(needsFreshMemory(rest, input(0.3), config)).toBe(false);
    expect(needsFreshMemory(rest, input(0.3, null), config)).toBe(false);
  });

  it("reads every tick once the working set nears the limit", () => {
    expect(needsFreshMemory(rest, input(0.61), config)).toBe(true);
  });

  it("reads every tick once a worker nears the recycle budget", () => {
    expect(needsFreshMemory(rest, input(0.3, Math.ceil(0.75 * budget)), config)).toBe(true);
  });

  it("reads every tick under pressure and while a signal is in flight", () => {
    expect(needsFreshMemory({ ...rest, level: "elevated" }, input(0.3), config)).toBe(true);
    expect(
      needsFreshMemory({ ...rest, inFlight: { kind: "ttou", sinceMs: 0 } as never }, input(0.3), config),
    ).toBe(true);
  });
});
