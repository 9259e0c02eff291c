import { describe, expect, it } from "vitest";
import { adaptiveInput } from "../../../../src/core/adaptive/observe.js";
import type { ProcessSample, Sample } from "../../../../src/core/sample/sample.js";
import { UNKNOWN_MEMORY } from "../../../../src/core/sample/figures.js";

const proc = (pid: number, uss: number | null, procState = "S"): ProcessSample => ({
  pid,
  procState,
  startTimeTicks: 1,
  memory: { ...UNKNOWN_MEMORY, uss },
  cpuSeconds: 0,
  cpuPercent: 0,
});

const sample: Sample = {
  time: "2026-11-27T05:00:00.000Z",
  atMs: 1234,
  durationMs: 1,
  master: proc(10, 5),
  workers: [proc(11, 100), proc(12, null), proc(13, 7, "Z")],
  cgroup: {
    limitBytes: 1000,
    usageBytes: 900,
    workingSetBytes: 800,
    swapUsageBytes: 0,
    memoryPressure: {
      some: { avg10: 3, avg60: 0, avg300: 0, total: 1 },
      full: { avg10: 1, avg60: 0, avg300: 0, total: 1 },
    },
    oomKills: 0,
    memoryPressureScope: "cgroup",
    highEvents: 2,
    maxEvents: 1,
  },
  backlog: { queued: 4, max: 128, listeners: 1 },
  self: proc(1, 1),
};

describe("adaptiveInput", () => {
  it("takes the figures the policies need, drops zombies, reads busy slots and readiness from the hooks", () => {
    const input = adaptiveInput(sample, {
      busy: new Map([[11, 1]]),
      ready: new Set([11]),
      gunicornWorkers: 2,
      reloads: 1,
    });
    expect(input).toEqual({
      atMs: 1234,
      limitBytes: 1000,
      workingSetBytes: 800,
      swapUsageBytes: 0,
      psi: { someAvg10: 3, fullAvg10: 1, scope: "cgroup" },
      highEvents: 2,
      maxEvents: 1,
      backlogQueued: 4,
      workers: [
        { pid: 11, uss: 100, busy: 1, ready: true },
        { pid: 12, uss: null, busy: 0, ready: false },
      ],
      gunicornWorkers: 2,
      reloads: 1,
      cpuUsed: 0,
    });
  });

  it("cpuUsed: the CPUs' worth the master and the workers used; unknown while any figure is", () => {
    const busy = (p: ProcessSample, cpuPercent: number | null) => ({ ...p, cpuPercent });
    const hooks = { busy: null, ready: new Set<number>(), gunicornWorkers: null, reloads: 0 };
    const used = adaptiveInput(
      { ...sample, master: busy(proc(10, 5), 2), workers: [busy(proc(11, 1), 48), busy(proc(12, 1), 45)] },
      hooks,
    );
    expect(used.cpuUsed).toBeCloseTo(0.95);
    const fresh = adaptiveInput({ ...sample, workers: [busy(proc(11, 1), null)] }, hooks);
    expect(fresh.cpuUsed).toBeNull();
  });

  it("busy is unknown without request hooks; no cgroup means unknown figures", () => {
    const input = adaptiveInput(
      { ...sample, cgroup: null, backlog: null },
      { busy: null, ready: new Set(), gunicornWorkers: null, reloads: 0 },
    );
    expect(input.workers.map((w) => w.busy)).toEqual([null, null]);
    expect(input).toMatchObject({ limitBytes: null, workingSetBytes: null, psi: null, backlogQueued: null });
  });
});
