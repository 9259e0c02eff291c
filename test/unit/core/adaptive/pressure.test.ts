import { describe, expect, it } from "vitest";
import { initialAdaptiveState } from "../../../../src/core/adaptive/config.js";
import { readPressure } from "../../../../src/core/adaptive/pressure.js";
import type { AdaptiveInput, AdaptiveState } from "../../../../src/core/adaptive/types.js";
import { MiB, testConfig } from "./world.js";

const config = testConfig();
const limit = config.limitBytes;

function input(atMs: number, ratio: number, extra: Partial<AdaptiveInput> = {}): AdaptiveInput {
  return {
    atMs,
    limitBytes: limit,
    workingSetBytes: Math.round(ratio * limit),
    swapUsageBytes: null,
    psi: null,
    highEvents: null,
    maxEvents: null,
    backlogQueued: 0,
    workers: [],
    gunicornWorkers: 3,
    reloads: 0,
    cpuUsed: null,
    ...extra,
  };
}

/** Feeds (atMs, ratio) pairs; returns the level after each. */
function levels(seq: [number, number][], start: AdaptiveState = initialAdaptiveState(config)): string[] {
  let state = start;
  return seq.map(([at, ratio]) => {
    state = readPressure(state, input(at, ratio), config).state;
    return state.level;
  });
}

describe("readPressure", () => {
  it("grades the working set against the limit: 80 / 88 / 93 %", () => {
    expect(levels([[0, 0.79]])).toEqual(["normal"]);
    expect(levels([[0, 0.81]])).toEqual(["elevated"]);
    expect(levels([[0, 0.89]])).toEqual(["high"]);
    expect(levels([[0, 0.94]])).toEqual(["critical"]);
  });

  it("goes up at once, comes down only below the entry minus 5 points and after 5 s lower", () => {
    const seq: [number, number][] = [
      [0, 0.89], // high
      [1000, 0.85], // still above 88 − 5: high, no timer
      [2000, 0.82], // below 83: lower signal starts the drop timer
      [3000, 0.82],
      [6000, 0.82], // 4 s lower: still high
      [7000, 0.82], // 5 s lower: elevated (82 ≥ 80 − 5 while held)
      [8000, 0.76], // elevated held down to 75
      [9000, 0.74],
      [14000, 0.74], // 5 s below 75: normal
    ];
    expect(levels(seq)).toEqual([
      "high",
      "high",
      "high",
      "high",
      "high",
      "elevated",
      "elevated",
      "elevated",
      "normal",
    ]);
  });

  it("a short dip does not reset the level: the drop timer restarts when the signal comes back", () => {
    expect(
      levels([
        [0, 0.94],
        [1000, 0.5],
        [2000, 0.94],
        [3000, 0.5],
        [7000, 0.5],
        [8000, 0.5],
      ]),
    ).toEqual(["critical", "critical", "critical", "critical", "critical", "normal"]);
  });

  it("cgroup PSI full grades to high and critical; host PSI only to elevated", () => {
    const s0 = initialAdaptiveState(config);
    const at = (psi: AdaptiveInput["psi"]) => readPressure(s0, input(0, 0.1, { psi }), config).reading;
    expect(at({ someAvg10: 50, fullAvg10: 45, scope: "cgroup" }).level).toBe("critical");
    expect(at({ someAvg10: 20, fullAvg10: 12, scope: "cgroup" }).level).toBe("high");
    expect(at({ someAvg10: 50, fullAvg10: 45, scope: "host" }).level).toBe("elevated");
    expect(at({ someAvg10: 2, fullAvg10: 0, scope: "host" }).level).toBe("normal");
    expect(at({ someAvg10: 50, fullAvg10: 45, scope: "cgroup" }).reason).toContain(
      "cgroup PSI memory some 50 % full 45 %",
    );
  });

  it("swap growth and memory.events max/high growth raise the level, with the figures in the reason", () => {
    let state = readPressure(
      initialAdaptiveState(config),
      input(0, 0.1, { swapUsageBytes: 0, maxEvents: 3, highEvents: 1 }),
      config,
    ).state;
    const swap = readPressure(
      state,
      input(1000, 0.1, { swapUsageBytes: 20 * MiB, maxEvents: 3, highEvents: 1 }),
      config,
    );
    expect(swap.reading).toMatchObject({ level: "elevated", reason: "swap grew 20 MiB in one tick" });
    state = swap.state;
    const max = readPressure(
      state,
      input(2000, 0.1, { swapUsageBytes: 20 * MiB, maxEvents: 5, highEvents: 1 }),
      config,
    );
    expect(max.reading).toMatchObject({
      level: "high",
      reason: "memory.events max +2 (the group hit its limit)",
    });
  });

  it("uses the plan's limit when the cgroup reports none, and says so in figures", () => {
    const r = readPressure(initialAdaptiveState(config), input(0, 0.9, { limitBytes: null }), config).reading;
    expect(r.level).toBe("high");
    expect(r.reason).toBe("working set 922 MiB of 1024 MiB (90 %)");
  });
});
