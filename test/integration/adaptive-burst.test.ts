/**
 * Load bursts under adaptive control (issue 5), the example app on gunicorn 20.1.0 in real cgroups.
 * - 1 GiB: 16 concurrent /sleep?s=0.3 against the plan's 3 sync workers fill the listen backlog; gwarden
 *   adds workers (TTIN) within seconds, up to the plan's maximum, and gives them back (TTOU) once idle.
 *   A HUP in the middle resets gunicorn's count to the configured one: gwarden re-applies its target.
 *   Then a steady load of 4 lanes settles without flapping (no up-down-up).
 * - 640 MiB with SimpleLogin-sized workers (EXAMPLE_BALLAST_MB=100, ~138 MiB private each, ~450 MiB in
 *   all): one more worker would pass 80 % of the limit, so the same burst adds none and says why.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
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

/** Worker counts every `everyMs` for `ms`. */
async function watchCounts(run: ScenarioRun, ms: number, everyMs = 500): Promise<number[]> {
  const counts: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const n = await run.workers();
    if (n !== null) counts.push(n);
    await sleep(everyMs);
  }
  return counts;
}

/** How often the direction of change flips in a series of counts. */
function flips(counts: readonly number[]): number {
  let last = 0;
  let n = 0;
  for (let i = 1; i < counts.length; i++) {
    const d = Math.sign(counts[i]! - counts[i - 1]!);
    if (d === 0) continue;
    if (last !== 0 && d !== last) n++;
    last = d;
  }
  return n;
}

describe("adaptive control under load bursts (gunicorn 20.1.0)", () => {
  it("1 GiB: a burst raises the worker count within seconds, it comes back down after, and a steady load does not flap", async () => {
    const run = await startScenario({ memoryBytes: 1024 * MiB, adaptive: true, name: "burst" });
    runs.push(run);
    const plan = (await run.api<{ plan: { workers: number; maxWorkers: number } }>("/api/state"))!.plan;
    expect(plan.maxWorkers).toBeGreaterThan(plan.workers);

    const burst = steadyLoad(run.appPort, "/sleep?s=0.3", 16);
    const during = await watchCounts(run, 12_000);
    expect(Math.max(...during)).toBeGreaterThan(plan.workers);
    expect(Math.max(...during)).toBeLessThanOrEqual(plan.maxWorkers);
    // A HUP resets gunicorn's count to the configured one; gwarden re-applies its target.
    const master = (await run.api<{ master: { pid: number } }>("/api/state"))!.master.pid;
    process.kill(master, "SIGHUP");
    const reapplied = async (): Promise<boolean> =>
      (await run.events()).some(
        (e) => e.kind === "scale_up" && String(e.reason).startsWith("re-apply the target"),
      );
    for (const end = Date.now() + 15_000; !(await reapplied()) && Date.now() < end;) await sleep(500);
    expect(await reapplied()).toBe(true);
    await burst.stop();

    const deadline = Date.now() + 45_000;
    while ((await run.workers()) !== plan.workers && Date.now() < deadline) await sleep(1000);
    expect(await run.workers()).toBe(plan.workers);

    const steady = steadyLoad(run.appPort, "/sleep?s=0.2", 4);
    const counts = await watchCounts(run, 25_000);
    await steady.stop();
    expect(flips(counts)).toBe(0);
    expect(run.sandbox.oomKills()).toBe(0);

    const events = await run.events();
    const ups = events.filter((e) => e.kind === "scale_up");
    expect(ups[0]).toMatchObject({
      source: "supervisor",
      from: plan.workers,
      to: plan.workers + 1,
      reason: expect.stringMatching(
        /^load: overloaded for [\d.]+ s \(backlog \d+, busy \d+ of \d+ slot\(s\)\); working set \d+ MiB \+ one worker \d+ MiB = \d+ MiB ≤ 80 % of 1024 MiB$/,
      ),
    });
    expect(events.some((e) => e.kind === "scale_down" && String(e.reason).startsWith("load: idle for"))).toBe(
      true,
    );
  });

  it("640 MiB with big workers: the same burst adds no worker, because one more would not fit", async () => {
    const run = await startScenario({
      memoryBytes: 640 * MiB,
      adaptive: true,
      env: { EXAMPLE_BALLAST_MB: "100" },
      name: "burst-tight",
    });
    runs.push(run);
    const plan = (await run.api<{ plan: { workers: number; maxWorkers: number } }>("/api/state"))!.plan;
    expect(plan.maxWorkers).toBeGreaterThan(plan.workers);
    const burst = steadyLoad(run.appPort, "/sleep?s=0.3", 16);
    const during = await watchCounts(run, 8_000);
    await burst.stop();
    expect(Math.max(...during)).toBe(plan.workers);
    expect(run.stderr()).toMatch(
      /scale-up is held: working set \d+ MiB \+ one worker \d+ MiB = \d+ MiB > 80 % of 640 MiB/,
    );
    expect((await run.events()).filter((e) => e.kind === "scale_up")).toEqual([]);
    expect(run.sandbox.oomKills()).toBe(0);
  });
});
