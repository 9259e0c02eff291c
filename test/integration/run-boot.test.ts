/**
 * `gwarden run` on real gunicorn 20.1.0 and 26.2.2 inside real memory cgroups: a hung import is killed at
 * the boot deadline and reported; a slow import completes with no timeout while /healthz flips from 503
 * to 200; /metrics parses as Prometheus text; SIGTERM during load completes every in-flight request and
 * gwarden exits 0.
 */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { readEventLog } from "../../src/adapters/run/event-log.js";
import { gunicornReleases } from "../helpers/gunicorns.js";
import { MiB, apiEvents, startRun, until, type GwardenRun } from "./run-harness.js";

interface ParsedFamily {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => ParsedFamily[];

const releases = gunicornReleases().filter((r) => r.version === "20.1.0" || r.version.startsWith("26."));
const runs: GwardenRun[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close();
});

describe.each(releases.map((r) => [r.version, r] as const))(
  "gwarden run on gunicorn %s",
  (_version, release) => {
    it("kills a worker hung in its import at the boot deadline and reports boot_deadline_kill", async () => {
      const run = await startRun({
        release,
        memoryBytes: 512 * MiB,
        flags: ["--boot-deadline", "4s"],
        env: { EXAMPLE_FAULTS: "1", IMPORT_HANG: "1" },
      });
      runs.push(run);
      await until(
        "a boot_deadline_kill line",
        () => /boot_deadline_kill: worker \d+/.test(run.stderr()),
        40_000,
      );
      const events = await until("the event in /api/events", async () => {
        const all = await apiEvents(run);
        return all.some((e) => e.kind === "boot_deadline_kill") ? all : null;
      });
      const kill = events.find((e) => e.kind === "boot_deadline_kill")!;
      expect(kill).toMatchObject({ source: "supervisor", deadlineSeconds: 4 });
      // gunicorn replaced the killed worker, and the master lives on.
      await until("a replacement worker", async () =>
        (await apiEvents(run)).some(
          (e) => e.kind === "worker_boot" && (e.seq as number) > (kill.seq as number),
        ),
      );
      const state = JSON.parse((await run.api("/api/state")).body) as { master: { pid: number } };
      expect(state.master.pid).toBeGreaterThan(0);
      expect((await run.api("/healthz")).status).toBe(503);
      // Workers hung in their import hold no request: the stop kills them instead of waiting graceful_timeout.
      run.child.kill("SIGTERM");
      const exit = await run.exited;
      expect(exit.code).toBe(0);
      expect(run.stderr()).toMatch(/killed \d+ worker\(s\) still booting/);
      expect(readEventLog(run.eventsPath).some((e) => e.kind === "boot_deadline_kill")).toBe(true);
    });

    it("lets a slow import finish with no timeout, flips /healthz, serves /metrics, and stops gracefully under load", async () => {
      const run = await startRun({
        release,
        memoryBytes: 512 * MiB,
        flags: ["--boot-deadline", "15s"],
        env: { EXAMPLE_FAULTS: "1", IMPORT_DELAY: "3" },
      });
      runs.push(run);
      const early = await until("the API", async () => (await run.api("/healthz")).status);
      expect(early).toBe(503);
      await until("/healthz 200", async () => (await run.api("/healthz")).status === 200, 60_000);

      const metrics = parsePrometheus((await run.api("/metrics")).body);
      const family = (name: string) => metrics.find((f) => f.name === name);
      const ready = family("gwarden_workers")!.metrics.find((m) => m.labels?.state === "ready");
      expect(Number(ready!.value)).toBeGreaterThanOrEqual(1);
      expect(family("gwarden_worker_rss_bytes")!.metrics.length).toBeGreaterThanOrEqual(1);
      expect(family("gwarden_worker_rss_bytes")!.metrics[0]!.labels!.pid).toMatch(/^\d+$/);
      expect(
        family("gwarden_events_total")!.metrics.some(
          (m) => m.labels?.kind === "worker_ready" && Number(m.value) >= 1,
        ),
      ).toBe(true);
      expect(Number(family("gwarden_memory_limit_bytes")!.metrics[0]!.value)).toBe(512 * MiB);
      expect(family("gwarden_supervisor_anon_bytes")).toBeDefined();

      const state = JSON.parse((await run.api("/api/state")).body) as {
        workers: { state: string }[];
        plan: { workers: number };
      };
      const workers = state.plan.workers;
      await until("every worker ready", async () => {
        const s = JSON.parse((await run.api("/api/state")).body) as { workers: { state: string }[] };
        return s.workers.filter((w) => w.state === "ready").length === workers;
      });
      // One slow request per worker, all accepted before the stop.
      const inflight = Array.from({ length: workers }, () => run.app("/sleep?s=2", 30_000));
      await new Promise((resolve) => setTimeout(resolve, 700));
      run.child.kill("SIGTERM");
      const results = await Promise.all(inflight);
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      const exit = await run.exited;
      expect(exit.code).toBe(0);
      const events = readEventLog(run.eventsPath);
      expect(events.filter((e) => e.kind === "worker_timeout" || e.kind === "boot_deadline_kill")).toEqual(
        [],
      );
      expect(events.some((e) => e.kind === "worker_ready")).toBe(true);
    });
  },
);
