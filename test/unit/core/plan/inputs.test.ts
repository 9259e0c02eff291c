import { describe, expect, it } from "vitest";
import { lowMemoryFromEnv, planResources, UNKNOWN_MEMORY_BYTES } from "../../../../src/core/plan/inputs.js";
import type { Resources } from "../../../../src/core/resources/types.js";

const MiB = 1024 * 1024;

function detected(limit: number | null, high: number | null, host: number | null): Resources {
  const sizing = limit === null ? high : high === null ? limit : Math.min(limit, high);
  return {
    cgroup: {
      version: "v2",
      layout: "v2",
      memoryController: "v2",
      cpuController: "v2",
      memoryDir: null,
      cpuDir: null,
    },
    memory: {
      limitBytes: limit,
      highBytes: high,
      sizingLimitBytes: sizing,
      hostTotalBytes: host,
      hostAvailableBytes: null,
      usageBytes: null,
      workingSetBytes: null,
      availableBytes: null,
      peakBytes: null,
    },
    swap: { limitBytes: null, usageBytes: null, hostTotalBytes: 0, hostFreeBytes: 0 },
    cpu: { quota: 1.5, affinity: 2, effective: 1.5, effectiveFloor: 1, effectiveCeil: 2 },
    pressure: { memory: null, cpu: null, io: null },
    oom: { kills: null, ooms: null, maxEvents: null, highEvents: null, underOom: null, failcnt: null },
    sources: { "memory.limitBytes": { source: "cgroup-v2" } },
    warnings: ["w"],
  };
}

describe("planResources", () => {
  it("sizes for min(limit, memory.high), then the host total, then a stated guess", () => {
    expect(planResources(detected(512 * MiB, 400 * MiB, 4096 * MiB))).toMatchObject({
      memoryBytes: 400 * MiB,
      memorySource: "memory.high (cgroup-v2)",
      cpus: 1.5,
      cpuSource: "cgroup quota",
      swapBytes: 0,
    });
    expect(planResources(detected(null, null, 4096 * MiB))).toMatchObject({
      memoryBytes: 4096 * MiB,
      memorySource: "host total (no limit)",
    });
    const unknown = planResources(detected(null, null, null));
    expect(unknown.memoryBytes).toBe(UNKNOWN_MEMORY_BYTES);
    expect(unknown.warnings.join(" ")).toMatch(/Pass --memory/);
  });

  it("drops the detection warnings a what-if figure replaces", () => {
    const r = {
      ...detected(null, null, 4096 * MiB),
      warnings: [
        "memory: no cgroup limit; falling back to host",
        "cpu: no usable cgroup cpu controller",
        "other",
      ],
    };
    expect(planResources(r, { memoryBytes: 256 * MiB }).warnings).toEqual([
      "cpu: no usable cgroup cpu controller",
      "other",
    ]);
    expect(planResources(r, { cpus: 1 }).warnings).toEqual([
      "memory: no cgroup limit; falling back to host",
      "other",
    ]);
  });

  it("lets what-if figures win", () => {
    expect(planResources(detected(512 * MiB, null, null), { memoryBytes: 256 * MiB, cpus: 1 })).toMatchObject(
      { memoryBytes: 256 * MiB, memorySource: "what-if (--memory)", cpus: 1, cpuSource: "what-if (--cpus)" },
    );
  });

  it("reads LOW_MEMORY_MODE", () => {
    expect(lowMemoryFromEnv("true")).toBe(true);
    expect(lowMemoryFromEnv("1")).toBe(true);
    expect(lowMemoryFromEnv("false")).toBe(false);
    expect(lowMemoryFromEnv(undefined)).toBe(false);
  });
});
