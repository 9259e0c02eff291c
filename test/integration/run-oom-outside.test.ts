/**
 * `gwarden run` outside the app's memory group (a sidecar, a service manager's layout, or the remedy for
 * the kernel picking gwarden as a second OOM victim): gunicorn's master moves itself into the group from
 * its own config, so gwarden must follow the master's group, not read its own. A worker pushed past the
 * group's limit is OOM-killed and confirmed with its pid from the master's group's counter; the master
 * survives and the app answers again. Version-neutral: it runs on v1 here and on v2 in the VM tier.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readEventLog } from "../../src/adapters/run/event-log.js";
import { gunicornReleases } from "../helpers/gunicorns.js";
import { samplerApp } from "./monitor-harness.js";
import { MiB, startRun, until, type GwardenRun } from "./run-harness.js";

const runs: GwardenRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

describe("gwarden run outside the app's group", () => {
  it("confirms a worker's OOM kill from the master's group, keeps the master, and recovers", async () => {
    const run = await startRun({
      release: gunicornReleases()[0]!,
      memoryBytes: 200 * MiB,
      appDir: samplerApp,
      gwardenOutside: true,
      flags: ["--no-threads", "--supervisor-outside"],
    });
    runs.push(run);
    await until("/healthz 200", async () => (await run.api("/healthz")).status === 200, 300_000);
    const before = await until("every planned worker in the sample", async () => {
      const state = JSON.parse((await run.api("/api/state")).body) as {
        master: { pid: number };
        workers: { pid: number; state: string }[];
        plan: { workers: number };
      };
      return state.workers.filter((w) => w.state === "ready").length >= state.plan.workers ? state : null;
    });
    expect(run.sandbox.pids()).toContain(before.master.pid);
    expect(run.sandbox.pids()).not.toContain(run.child.pid);
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
    await until("the app answering again", async () => (await run.app("/")).status === 200, 300_000);
    const after = JSON.parse((await run.api("/api/state")).body) as {
      master: { pid: number; state: string };
    };
    expect(after.master).toMatchObject({ pid: before.master.pid, state: "running" });
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
  });
});
