/**
 * Adaptive control on cgroup v2 driven by the kernel (runs in the VM tier's guest): gwarden alone in its
 * group owns it, so the master's kernel-event watcher sets memory.high a margin below memory.max and
 * listens to the group's PSI trigger and memory.events. Workers that grow towards the limit are recycled
 * (pressure or memory) while memory.high throttles the growth, and nothing is OOM-killed.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { readEventLog } from "../../src/adapters/run/event-log.js";
import { memoryHigh } from "../../src/core/run/kernel-events.js";
import { gunicornReleases } from "../helpers/gunicorns.js";
import { samplerApp } from "../integration/monitor-harness.js";
import { MiB, startRun, until, type GwardenRun } from "../integration/run-harness.js";
import { v2Delegated } from "./v2-groups.js";

const runs: GwardenRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

describe.skipIf(!v2Delegated())("adaptive control on cgroup v2", () => {
  it("sets memory.high where gwarden owns the group, and recycles growing workers before any OOM kill", async () => {
    const limit = 256 * MiB;
    const run = await startRun({
      release: gunicornReleases()[0]!,
      memoryBytes: limit,
      appDir: samplerApp,
      flags: ["--no-threads", "--recycle-at", "60M"],
    });
    runs.push(run);
    await until("/healthz 200", async () => (await run.api("/healthz")).status === 200, 300_000);
    await until(
      "memory.high written by the master's watcher",
      () => run.stderr().includes("memory.high set to"),
      120_000,
    );
    expect(Number(readFileSync(`${run.sandbox.memoryDir}/memory.high`, "utf8").trim())).toBe(
      memoryHigh(limit),
    );
    // Each request keeps 20 MiB in the worker that served it: the workers grow past their budget and the
    // group towards its limit.
    for (let i = 0; i < 14; i++) {
      await run.app("/alloc?mb=20", 120_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const recycles = await until(
      "a recycle",
      () => {
        const found = readEventLog(run.eventsPath).filter((e) => e.kind === "recycle");
        return found.length > 0 ? found : null;
      },
      180_000,
    );
    expect(recycles.length).toBeGreaterThan(0);
    expect(run.sandbox.oomKills()).toBe(0);
    expect((await run.app("/", 60_000)).status).toBe(200);
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
  });
});
