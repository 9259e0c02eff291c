import { describe, expect, it } from "vitest";
import { DEFAULT_PRESSURE } from "../../../../src/core/adaptive/config.js";
import { kernelEventEnv, memoryHigh, PSI_TRIGGER } from "../../../../src/core/run/kernel-events.js";
import { world } from "./loop-world.js";

const MiB = 1048576;

describe("kernelEventEnv", () => {
  it("asks cgroup v1 for usage thresholds at the pressure levels, and OOM notifications", () => {
    expect(
      kernelEventEnv({ version: "v1", limitBytes: 1000 * MiB, owned: true, pressure: DEFAULT_PRESSURE }),
    ).toEqual({
      GWARDEN_MEMORY_THRESHOLDS: [800, 880, 930].map((m) => m * MiB).join(","),
      GWARDEN_MEMORY_EVENTS: "1",
    });
  });

  it("asks cgroup v2 for a PSI trigger and memory.events, and memory.high only where gwarden owns the group", () => {
    const shared = kernelEventEnv({
      version: "v2",
      limitBytes: 512 * MiB,
      owned: false,
      pressure: DEFAULT_PRESSURE,
    });
    expect(shared).toEqual({ GWARDEN_MEMORY_PSI: PSI_TRIGGER, GWARDEN_MEMORY_EVENTS: "1" });
    const owned = kernelEventEnv({
      version: "v2",
      limitBytes: 512 * MiB,
      owned: true,
      pressure: DEFAULT_PRESSURE,
    });
    expect(Number(owned.GWARDEN_MEMORY_HIGH)).toBe(memoryHigh(512 * MiB));
    expect(memoryHigh(512 * MiB)).toBe(512 * MiB - Math.round(512 * MiB * 0.03));
    expect(memoryHigh(128 * MiB)).toBe(120 * MiB);
  });

  it("watches nothing without a limit", () => {
    expect(
      kernelEventEnv({ version: "v2", limitBytes: null, owned: true, pressure: DEFAULT_PRESSURE }),
    ).toEqual({});
    expect(
      kernelEventEnv({ version: null, limitBytes: 512 * MiB, owned: true, pressure: DEFAULT_PRESSURE }),
    ).toEqual({});
  });
});

describe("the run loop: kernel memory events", () => {
  it("samples at once on a kernel event, at most every 250 ms", () => {
    const t = world();
    t.start();
    t.sample(10, [11]);
    t.advance(300);
    expect(
      t.hook("memory_event", 10, { kind: "threshold", threshold: 1, direction: "up", usage: 2, limit: 3 }),
    ).toContainEqual({ kind: "sample_now" });
    t.sample(10, [11]);
    t.advance(100);
    expect(
      t.hook("memory_event", 10, { kind: "psi", trigger: PSI_TRIGGER, someAvg10: 12, fullAvg10: 1 }),
    ).not.toContainEqual({ kind: "sample_now" });
  });

  it("says once that a kernel event source is unavailable, and that memory.high was set", () => {
    const t = world();
    t.start();
    for (let i = 0; i < 2; i++)
      t.hook("memory_event", 10, { kind: "unavailable", what: "cgroup.event_control", reason: "EACCES" });
    t.hook("memory_event", 10, { kind: "high", high: 500 * MiB });
    expect(t.said().match(/cgroup.event_control unavailable \(EACCES\)/g)).toHaveLength(1);
    expect(t.said()).toContain("memory.high set to 500 MiB");
  });
});
