/**
 * Memory spike, adaptive control off and on, in one run (issue 5). The example app's /hog?mb=120 (no
 * `hold`) allocates 120 MiB that the worker keeps until it exits — a request that leaves its worker
 * bloated. Eight of them, one every 2.5 s, while three lanes keep /health busy, in a 512 MiB cgroup
 * shared by gwarden, the master and the plan's workers (~40 MiB private each, ~150 MiB in all).
 *
 * Off: the retained memory adds up (8 × 120 MiB ≫ 512 MiB) and the kernel OOM-kills workers.
 * On: a worker past its budget is recycled (graceful: it finishes its request, the master forks a fresh
 * one) — by its own memory guard at the hog request that crosses the budget, or by gwarden's sampler
 * within a tick or two of the hog — so at most two hogs are ever resident together.
 * Honest limits: one request that allocates more than the headroom cannot be saved by anyone, and a
 * hog rate faster than the sampler's second could outrun one-at-a-time recycling; the pace here is the
 * design point, not a tuned edge.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  failures,
  paced,
  sleep,
  startScenario,
  steadyLoad,
  type ScenarioRun,
} from "../../bench/harness/adaptive-scenarios.js";

const MiB = 1048576;
const runs: ScenarioRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

async function spike(adaptive: boolean) {
  const run = await startScenario({
    memoryBytes: 512 * MiB,
    adaptive,
    name: `spike-${adaptive ? "on" : "off"}`,
  });
  runs.push(run);
  const background = steadyLoad(run.appPort, "/health", 3);
  const hogs = await paced(run.appPort, "/hog?mb=120", 8, 2500);
  await sleep(2000);
  const light = await background.stop();
  const events = await run.events();
  return {
    oomKills: run.sandbox.oomKills(),
    failed: failures(light),
    light: light.length,
    hogs,
    events,
    stderr: run.stderr(),
  };
}

describe("adaptive control under a memory spike (gunicorn 20.1.0, 512 MiB cgroup)", () => {
  it("off: workers are OOM-killed; on: zero OOM kills and zero failed requests, bloated workers recycled", async () => {
    const off = await spike(false);
    await runs.splice(0)[0]!.close();
    const on = await spike(true);

    expect(off.oomKills).toBeGreaterThan(0);
    expect(on.oomKills).toBe(0);
    expect(on.failed).toBe(0);
    expect(on.light).toBeGreaterThan(100);
    // The hog requests themselves were answered too: recycling is graceful.
    expect(failures(on.hogs)).toBe(0);
    const recycles = on.events.filter((e) => e.kind === "recycle");
    expect(recycles.length).toBeGreaterThanOrEqual(4);
    for (const r of recycles) {
      const reason =
        r.source === "hook"
          ? /^memory: in-worker guard: private memory \d+ MiB ≥ budget \d+ MiB$/
          : /^(memory: private memory \d+ MiB > budget \d+ MiB|pressure: memory)/;
      expect(reason.test(String(r.reason)), JSON.stringify(r)).toBe(true);
    }
    expect(on.stderr).toMatch(
      /recycle: worker \d+: memory: private memory|gwarden: memory guard: private memory/,
    );
    expect(off.events.filter((e) => e.kind === "recycle" || e.kind === "scale_down")).toEqual([]);
  });
});
