/**
 * A slow per-request leak under adaptive control (issue 5): /leak?kb=200 keeps 200 KiB per request in
 * its worker. Requests arrive at a steady 50 per second for 45 s (~440 MiB leaked in all, more than the
 * 512 MiB cgroup holds beside the app), and `--recycle-at 96M` sets the private-memory budget (a fresh
 * worker is ~40 MiB). Each worker is recycled gracefully when it passes the budget, before the limit, so
 * the cgroup never OOM-kills and no request fails. The workers' own memory guard (the same budget, in
 * the rendered conf) retires them at the request that crosses it; gwarden's sampler-driven recycling
 * (SIGTERM) is the fallback and may catch one first between two requests.
 */
import { afterEach, describe, expect, it } from "vitest";
import { failures, paced, startScenario, type ScenarioRun } from "../../bench/harness/adaptive-scenarios.js";

const MiB = 1048576;
const runs: ScenarioRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

describe("adaptive control and a slow leak (gunicorn 20.1.0, 512 MiB cgroup)", () => {
  it("recycles workers by memory before the limit; no OOM kill, no failed request over a 45 s soak", async () => {
    const run = await startScenario({
      memoryBytes: 512 * MiB,
      adaptive: true,
      flags: ["--recycle-at", "96M"],
      name: "leak",
    });
    runs.push(run);
    const outcomes = await paced(run.appPort, "/leak?kb=200", 2250, 20);
    const events = await run.events();
    const recycles = events.filter((e) => e.kind === "recycle");
    const byGuard = recycles.filter((e) => e.source === "hook");
    const bySampler = recycles.filter((e) => e.source === "supervisor");
    expect(run.sandbox.oomKills()).toBe(0);
    expect(failures(outcomes)).toBe(0);
    expect(recycles.length).toBeGreaterThanOrEqual(2);
    expect(byGuard.length + bySampler.length).toBe(recycles.length);
    for (const r of byGuard)
      expect(r.reason).toMatch(/^memory: in-worker guard: private memory \d+ MiB ≥ budget 96 MiB$/);
    for (const r of bySampler) expect(r.reason).toMatch(/^memory: private memory \d+ MiB > budget 96 MiB$/);
    expect(run.sandbox.peakBytes() ?? 0).toBeLessThan(512 * MiB);
    const state = await run.api<{ adaptive: { recycles: { memory: number }; recycleBytes: number } }>(
      "/api/state",
    );
    expect(state?.adaptive).toMatchObject({ recycleBytes: 96 * MiB, recycles: { memory: bySampler.length } });
  });
});
