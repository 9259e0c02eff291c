import { describe, expect, it } from "vitest";
import { type ProcessSample, type Sample } from "../../../../src/core/sample/sample.js";
import type { Resources } from "../../../../src/core/resources/types.js";
import { buildSnapshot } from "../../../../src/core/snapshot/build.js";
import { cgroupFigures, UNKNOWN_MEMORY } from "../../../../src/core/sample/figures.js";

function proc(pid: number, over: Partial<ProcessSample> = {}): ProcessSample {
  return {
    pid,
    procState: "S",
    startTimeTicks: 1000,
    memory: { rss: 1, pss: 2, uss: 3, swap: 0, anon: 3 },
    cpuSeconds: 0.5,
    cpuPercent: 1,
    ...over,
  };
}

const sample: Sample = {
  time: "2026-11-27T04:00:00.000Z",
  atMs: 5000,
  durationMs: 2,
  master: proc(10),
  workers: [proc(11), proc(12), proc(13, { procState: "Z" })],
  cgroup: null,
  backlog: { queued: 0, max: null, listeners: 1 },
  self: proc(9),
};

describe("buildSnapshot", () => {
  it("joins the sample with the lifecycle's worker states", () => {
    const snap = buildSnapshot({
      sample,
      master: { state: "running", pid: 10, startedAt: "2026-11-27T03:59:00.000Z" },
      workers: new Map([[11, { state: "ready", bootedAt: "a", readyAt: "b", requests: 4 }]]),
      plan: null,
      eventsByKind: { worker_ready: 1 },
    });
    expect(snap.master).toEqual({
      state: "running",
      pid: 10,
      startedAt: "2026-11-27T03:59:00.000Z",
      memory: sample.master!.memory,
      cpuSeconds: 0.5,
      cpuPercent: 1,
    });
    expect(snap.workers.map((w) => [w.pid, w.state, w.requests])).toEqual([
      [11, "ready", 4],
      [12, "booting", null],
      [13, "exiting", null],
    ]);
    expect(snap.supervisor).toEqual({
      pid: 9,
      memory: sample.self.memory,
      cpuSeconds: 0.5,
      cpuPercent: 1,
      sampleMs: 2,
    });
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });

  it("takes requests and busy from the workers' shared-memory counters", () => {
    const counters = (pid: number, inFlight: number, requests: number) => ({
      pid,
      ready: true,
      guard: true,
      retiring: false,
      requests,
      inFlight,
      slots: 4,
      oldestStart: inFlight ? 1 : null,
      lastEnd: 1,
      rssBytes: 1,
      privateBytes: 1,
      budgetBytes: 1,
      sharedBytes: 0,
      forkedAt: 1,
      updatedAt: 1,
      rollups: 0,
    });
    const snap = buildSnapshot({
      sample: {
        ...sample,
        workers: [proc(11, { stats: counters(11, 2, 40) }), proc(12, { stats: counters(12, 0, 7) })],
      },
      master: { state: "running", pid: 10, startedAt: null },
      workers: new Map([
        [11, { state: "ready", bootedAt: null, readyAt: null, requests: null }],
        [12, { state: "ready", bootedAt: null, readyAt: null, requests: null }],
      ]),
      plan: null,
      eventsByKind: {},
    });
    expect(snap.workers.map((w) => [w.pid, w.state, w.requests])).toEqual([
      [11, "busy", 40],
      [12, "ready", 7],
    ]);
  });

  it("leaves the master's figures unknown when it is gone", () => {
    const snap = buildSnapshot({
      sample: { ...sample, master: null, workers: [] },
      master: { state: "down", pid: 10, startedAt: null, reason: "exit 1", exitCode: 1 },
      workers: new Map(),
      plan: null,
      eventsByKind: {},
      unknownWorkerState: "ready",
    });
    expect(snap.master).toMatchObject({ state: "down", memory: UNKNOWN_MEMORY, cpuSeconds: null });
  });
});

describe("cgroupFigures", () => {
  it("picks the live figures out of Resources", () => {
    const pressure = { some: { avg10: 1, avg60: 2, avg300: 3, total: 4 }, full: null };
    const resources = {
      cgroup: { memoryDir: "/sys/fs/cgroup/memory/system.slice/app.service" },
      memory: { limitBytes: 5, usageBytes: 4, workingSetBytes: 3 },
      swap: { usageBytes: 2 },
      pressure: { memory: pressure },
      oom: { kills: 1, highEvents: 6, maxEvents: 7 },
      sources: { "pressure.memory": { source: "host", path: "/proc/pressure/memory" } },
    } as unknown as Resources;
    expect(cgroupFigures(resources)).toEqual({
      path: "/sys/fs/cgroup/memory/system.slice/app.service",
      limitBytes: 5,
      usageBytes: 4,
      workingSetBytes: 3,
      swapUsageBytes: 2,
      memoryPressure: pressure,
      oomKills: 1,
      memoryPressureScope: "host",
      highEvents: 6,
      maxEvents: 7,
    });
  });
});
