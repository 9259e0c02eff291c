import { describe, expect, it } from "vitest";
import { createAdaptiveController } from "../../../../src/adapters/run/adaptive-controller.js";
import { testConfig, MiB } from "../../core/adaptive/world.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import type { ProcessSample, Sample } from "../../../../src/core/sample/sample.js";
import { UNKNOWN_MEMORY } from "../../../../src/core/sample/figures.js";

const proc = (pid: number, uss: number): ProcessSample => ({
  pid,
  procState: "S",
  startTimeTicks: 1,
  memory: { ...UNKNOWN_MEMORY, uss },
  cpuSeconds: 0,
  cpuPercent: 0,
});

function sample(atMs: number, workers: ProcessSample[], backlog: number, workingSet = 400 * MiB): Sample {
  return {
    time: new Date(atMs).toISOString(),
    atMs,
    durationMs: 1,
    master: proc(10, MiB),
    workers,
    cgroup: {
      limitBytes: 1024 * MiB,
      usageBytes: workingSet,
      workingSetBytes: workingSet,
      swapUsageBytes: 0,
      memoryPressure: null,
      oomKills: 0,
    },
    backlog: { queued: backlog, max: 128, listeners: 1 },
    self: proc(1, MiB),
  };
}

function harness() {
  const kills: [number, string][] = [];
  const events: GunicornEvent[] = [];
  const said: string[] = [];
  const controller = createAdaptiveController(
    { config: testConfig({ workers: 2 }), requestHooks: true },
    {
      kill: (pid, signal) => kills.push([pid, signal]),
      emit: (e) => events.push(e),
      say: (t) => said.push(t),
      wallClock: () => new Date(0),
    },
  );
  return { controller, kills, events, said };
}

describe("adaptive controller", () => {
  it("sends SIGTTIN to the master after 2 s of overload and records scale_up from the supervisor", () => {
    const { controller, kills, events } = harness();
    controller.onRecord({ hook: "nworkers_changed", pid: 10, ppid: 1, time: 1, new: 2, old: null });
    controller.attach(10);
    for (const pid of [11, 12]) {
      controller.onRecord({ hook: "post_worker_init", pid, ppid: 10, time: 1 });
      controller.onRecord({ hook: "pre_request", pid, ppid: 10, time: 1, busy: 1 });
    }
    for (const at of [0, 1000, 2000])
      controller.onSample(sample(at, [proc(11, 100 * MiB), proc(12, 100 * MiB)], 5));
    expect(kills).toEqual([[10, "SIGTTIN"]]);
    expect(events).toMatchObject([
      { kind: "scale_up", from: 2, to: 3, source: "supervisor", time: "1970-01-01T00:00:00.000Z" },
    ]);
    expect(controller.view()).toMatchObject({ targetWorkers: 3, inFlight: "ttin" });
  });

  it("recycles a worker over the budget with a graceful SIGTERM, and ignores samples of another master", () => {
    const { controller, kills, events } = harness();
    controller.attach(10);
    for (const pid of [11, 12]) controller.onRecord({ hook: "post_worker_init", pid, ppid: 10, time: 1 });
    controller.onSample({
      ...sample(0, [proc(11, 100 * MiB), proc(12, 100 * MiB)], 0),
      master: proc(99, MiB),
    });
    expect(kills).toEqual([]);
    controller.onSample(sample(0, [proc(11, 100 * MiB), proc(12, 100 * MiB)], 0));
    controller.onSample(sample(1000, [proc(11, 100 * MiB), proc(12, 300 * MiB)], 0));
    expect(kills).toEqual([[12, "SIGTERM"]]);
    expect(events[0]).toMatchObject({ kind: "recycle", pid: 12, bytes: 300 * MiB, source: "supervisor" });
    expect(controller.view().recycles).toEqual({ memory: 1, pressure: 0 });
  });
});
