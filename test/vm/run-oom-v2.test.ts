/**
 * `gwarden run`'s OOM confirmation on cgroup v2 (runs in the VM tier's guest), with gwarden inside the
 * app's group as today: a worker that allocates past the group's memory.max is killed by the kernel,
 * gwarden reads the kill from memory.events and reports `oom-confirmed` with the worker's pid, the
 * master survives and the app answers again. A tiny app (test/fixtures/wsgi-sampler) keeps the boot
 * short on the guest's slow vCPU; the example app's OOM test runs on v1 (test/integration/run-failures).
 */
import { afterEach, describe, expect, it } from "vitest";
import { readEventLog } from "../../src/adapters/run/event-log.js";
import { gunicornReleases } from "../helpers/gunicorns.js";
import { samplerApp } from "../integration/monitor-harness.js";
import { MiB, startRun, until, type GwardenRun } from "../integration/run-harness.js";
import { v2Delegated } from "./v2-groups.js";

const runs: GwardenRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

describe.skipIf(!v2Delegated())("gwarden run on cgroup v2", () => {
  it("confirms a worker's OOM kill from memory.events, keeps the master, and recovers", async () => {
    const release = gunicornReleases()[0]!;
    const run = await startRun({
      release,
      memoryBytes: 200 * MiB,
      appDir: samplerApp,
      flags: ["--no-threads"],
    });
    runs.push(run);
    expect(run.sandbox.version).toBe("v2");
    await until("/healthz 200", async () => (await run.api("/healthz")).status === 200, 300_000);
    const before = await until("every planned worker in the sample", async () => {
      const state = JSON.parse((await run.api("/api/state")).body) as {
        master: { pid: number };
        workers: { pid: number; state: string }[];
        plan: { workers: number };
      };
      return state.workers.filter((w) => w.state === "ready").length >= state.plan.workers ? state : null;
    });
    const hog = await run.app("/alloc?mb=400", 120_000);
    expect(hog.status).not.toBe(200);
    const events = await until(
      "oom-confirmed",
      () => {
        const all = readEventLog(run.eventsPath);
        return all.some((e) => e.kind === "worker_signal" && e.cause === "oom-confirmed") ? all : null;
      },
      120_000,
    );
    const oom = events.find((e) => e.kind === "worker_signal" && e.cause === "oom-confirmed")!;
    expect(before.workers.map((w) => w.pid)).toContain(oom.pid);
    expect(oom.kind === "worker_signal" && oom.detail).toMatch(/cgroup usage \d+ MiB of limit 200 MiB/);
    expect(run.sandbox.oomKills()).toBeGreaterThanOrEqual(1);
    await until("the app answering again", async () => (await run.app("/")).status === 200, 300_000);
    const after = JSON.parse((await run.api("/api/state")).body) as {
      master: { pid: number; state: string };
    };
    expect(after.master).toMatchObject({ pid: before.master.pid, state: "running" });
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
  });
});
