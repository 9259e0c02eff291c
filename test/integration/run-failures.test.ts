/**
 * `gwarden run` when things go wrong, on real gunicorn 20.1.0 and 26.2.2 inside real memory cgroups: a
 * worker pushed over the limit is OOM-killed, reported as `oom-confirmed` with its pid, the master
 * survives and service recovers; an app that fails to import makes gwarden give up with a non-zero exit
 * and the app's own error in its last lines.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readEventLog } from "../../src/adapters/run/event-log.js";
import { gunicornReleases } from "../helpers/gunicorns.js";
import { MiB, ownLines, startRun, until, type GwardenRun } from "./run-harness.js";

const releases = gunicornReleases().filter((r) => r.version === "20.1.0" || r.version.startsWith("26."));
const runs: GwardenRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

describe.each(releases.map((r) => [r.version, r] as const))(
  "gwarden run on gunicorn %s",
  (_version, release) => {
    it("confirms an OOM kill of a worker by its pid, keeps the master, and recovers", async () => {
      // Kernel race (seen on 6.18): 15 ms after killing the hog's worker, while its memory is still
      // charged to the group, the memcg OOM killer may kill again. Without CAP_SYS_RESOURCE (this root)
      // gwarden raises the master to 500 so that the second victim is the master, which it restarts,
      // never gwarden itself (docs/root-cause.md). A gwarden killed here still earns one fresh attempt
      // (a racing kill before the master's score is set), and a second loss fails the test. (The master
      // as second victim once went unexplained: its zombie's /proc/<pid>/cgroup names the root group, so
      // the OOM counter read for its exit was the root's — resources.ts groupDetector keeps the live one.)
      for (let attempt = 1; ; attempt++) {
        const run = await startRun({ release, memoryBytes: 300 * MiB, env: { EXAMPLE_FAULTS: "1" } });
        runs.push(run);
        await until("/healthz 200", async () => (await run.api("/healthz")).status === 200);
        const before = await until("every planned worker in the sample", async () => {
          const state = JSON.parse((await run.api("/api/state")).body) as {
            master: { pid: number };
            workers: { pid: number; state: string }[];
            plan: { workers: number };
          };
          return state.workers.filter((w) => w.state === "ready").length >= state.plan.workers ? state : null;
        });
        const hog = await run.app("/hog?mb=400", 30_000);
        expect(hog.status).not.toBe(200);
        const secondVictim = "the gunicorn master was OOM-killed right after another process";
        const confirmed = () => {
          const all = readEventLog(run.eventsPath);
          if (all.some((e) => e.kind === "worker_signal" && e.cause === "oom-confirmed")) return all;
          if (run.stderr().includes(secondVictim)) return all;
          return run.child.signalCode === "SIGKILL" ? [] : null;
        };
        const seen = (): string =>
          [
            `oom-confirmed (hog: ${hog.status ?? "no answer"} ${hog.error ?? ""}; group OOM kills ${run.sandbox.oomKills()})`,
            "gwarden's own last lines:",
            ...ownLines(run.stderr(), 8),
            "its stderr's last lines:",
            ...run.stderr().trimEnd().split("\n").slice(-8),
            "its worker deaths:",
            ...readEventLog(run.eventsPath)
              .filter((e) => e.kind === "worker_signal" || e.kind === "worker_exit")
              .map((e) => JSON.stringify(e)),
          ].join("\n");
        const events = await until(seen, confirmed);
        if (run.stderr().includes(secondVictim)) {
          // The race took the master (raised to 500 where nothing can be lowered), not gwarden: gwarden
          // says so, restarts gunicorn, and the app serves again. That is the outcome this test wants
          // in the race; the worker's own confirmation is covered by the runs without it.
          console.warn(
            `the kernel's second OOM victim was the master (group OOM kills: ${run.sandbox.oomKills()})`,
          );
          expect(run.sandbox.oomKills()).toBeGreaterThanOrEqual(2);
          await until("the app answering again", async () => (await run.app("/health")).status === 200);
          expect(run.child.exitCode).toBeNull();
          run.child.kill("SIGTERM");
          expect((await run.exited).code).toBe(0);
          return;
        }
        if (events.length === 0) {
          expect(attempt, "gwarden itself was the OOM killer's second victim twice in a row").toBe(1);
          console.warn(
            `gwarden run was the kernel's second OOM victim (group OOM kills: ${run.sandbox.oomKills()}); one more attempt`,
          );
          await run.close();
          continue;
        }
        const oom = events.find((e) => e.kind === "worker_signal" && e.cause === "oom-confirmed")!;
        expect(before.workers.map((w) => w.pid)).toContain(oom.pid);
        expect(oom.kind === "worker_signal" && oom.detail).toMatch(/cgroup usage \d+ MiB of limit 300 MiB/);
        expect(run.sandbox.oomKills()).toBeGreaterThanOrEqual(1);
        await until("the app answering again", async () => (await run.app("/health")).status === 200);
        const after = JSON.parse((await run.api("/api/state")).body) as {
          master: { pid: number; state: string };
        };
        expect(after.master).toMatchObject({ pid: before.master.pid, state: "running" });
        expect(run.stderr()).toContain("oom-confirmed: worker");
        run.child.kill("SIGTERM");
        expect((await run.exited).code).toBe(0);
        return;
      }
    });

    it("gives up on an app that fails to import, exiting non-zero with the app's error last", async () => {
      const run = await startRun({
        release,
        memoryBytes: 512 * MiB,
        flags: ["--max-restarts", "1"],
        env: { EXAMPLE_FAULTS: "1", IMPORT_FAIL: "1" },
      });
      runs.push(run);
      const exit = await run.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const last = ownLines(run.stderr(), 2).join("\n");
      expect(last).toContain("IMPORT_FAIL=1 asked the import to fail");
      expect(last).toContain("giving up");
      expect(readEventLog(run.eventsPath).filter((e) => e.kind === "restart")).toHaveLength(1);
    });
  },
);
