/**
 * Issue 10 item 2: the in-worker memory guard against a fast leak, without gwarden run. The example
 * app's /leak?kb=2048 keeps 2 MiB per request; 160 of them at full speed (4 lanes, back to back) add
 * 320 MiB, inside a 320 MiB / 1 CPU cgroup. gunicorn runs directly with the conf `gwarden plan
 * --memory 320M --cpus 1 --format conf` renders (1 gthread worker × 4 threads, the guard at the plan's
 * recycle budget) and nothing else. Each worker retires after the request that takes its private
 * memory past the budget, as max_requests does: no OOM kill, no failed request, and every retirement
 * recorded once on the channel — on 20.1.0, 23.0.0 and 26.2.2, gthread as planned and sync. Without the
 * guard (GWARDEN_GUARD_BYTES=0) the same load is OOM-killed, so the harness can see a failure.
 * And the issue's own case: the same leak under `gwarden run` (planned, adaptive control on), where the
 * 1 s sampler alone lost the race to the kernel — no OOM kill, no failed request.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pythonRuntime } from "../../src/adapters/conf/python-runtime.js";
import { startSandboxedGunicorn } from "../../src/adapters/sandbox/sandboxed-gunicorn.js";
import { emitConf } from "../../src/core/emit/emit-conf.js";
import { defaultPolicy } from "../../src/core/plan/inputs.js";
import { planGunicorn } from "../../src/core/plan/plan.js";
import { exampleDir, gunicornReleases, type GunicornRelease } from "../helpers/gunicorns.js";
import { startRun, until, type GwardenRun } from "./run-harness.js";

const MiB = 1048576;
const LIMIT = 320 * MiB;
const REQUESTS = 160;
const LANES = 4;
const work = mkdtempSync(join(tmpdir(), "gwarden-guard-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const plan = planGunicorn({
  resources: {
    memoryBytes: LIMIT,
    memorySource: "test",
    cpus: 1,
    cpuSource: "test",
    swapBytes: 0,
    heartbeatDirs: [{ dir: "/dev/shm", usable: true, fsType: "tmpfs" }],
    warnings: [],
  },
  profile: null,
  policy: defaultPolicy({ gunicornVersion: null, appArgv: ["gunicorn", "--chdir", exampleDir, "app:app"] }),
});
const conf = emitConf(plan, null, pythonRuntime());

/** `total` GETs of `url` over `lanes` back-to-back lanes; the failures (status ≠ 200 or no answer). */
async function fullSpeed(url: string, total: number, lanes: number): Promise<string[]> {
  const failures: string[] = [];
  let sent = 0;
  const lane = async (): Promise<void> => {
    while (sent < total) {
      sent++;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
        await response.arrayBuffer();
        if (response.status !== 200) failures.push(`status ${response.status}`);
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return failures;
}

async function leak(release: GunicornRelease, flags: string[], env: Record<string, string>, name: string) {
  const run = await startSandboxedGunicorn({
    tierBytes: LIMIT,
    cpus: 1,
    name,
    launcher: release.command,
    args: [...flags, "--chdir", exampleDir, "app:app"],
    conf,
    env: {
      ...release.env,
      EXAMPLE_FAULTS: "1",
      GWARDEN_EXAMPLE_DB: join(work, `${name}.sqlite`),
      ...env,
    },
    label: name,
  });
  try {
    await run.gunicorn.waitUntil((records) => records.some((r) => r.hook === "post_worker_init"), 60_000);
    const failures = await fullSpeed(`${run.origin}/leak?kb=2048`, REQUESTS, LANES);
    const records = [...run.gunicorn.records];
    return {
      failures,
      oomKills: run.sandbox.oomKills(),
      peak: run.sandbox.peakBytes(),
      guards: records.filter((r) => r.hook === "memory_guard"),
      exits: records.filter((r) => r.hook === "child_exit"),
      log: () => run.log.join("\n"),
    };
  } finally {
    await run.stop();
  }
}

describe("the planned conf at 320 MiB / 1 CPU", () => {
  it("is 1 gthread worker with the guard at the plan's recycle budget", () => {
    expect(plan).toMatchObject({ workers: 1, workerClass: "gthread" });
    expect(conf).toContain(`guard_budget={"bytes": ${plan.recycleBytes}, "explicit": False}`);
  });
});

describe.each(gunicornReleases().map((r) => [r.version, r] as const))("gunicorn %s", (version, release) => {
  it.each([
    ["gthread, as planned", [] as string[]],
    ["sync", ["-k", "sync", "--threads", "1"]],
  ])(
    "%s: 160 requests leaking 2 MiB each at full speed; the guard retires the worker; no OOM kill, no failure",
    async (label, flags) => {
      const result = await leak(
        release,
        flags,
        {},
        `guard-${version}-${flags.length === 0 ? "gthread" : "sync"}`,
      );
      const why = `${label} on ${version}: ${JSON.stringify({ ...result, log: undefined })}\n${result.log().slice(-3000)}`;
      console.log(
        `memory guard, ${version} ${label}: ${REQUESTS} requests, ${result.failures.length} failed, ` +
          `${result.oomKills} OOM kills, ${result.guards.length} retirements ` +
          `(private ${result.guards.map((g) => Math.round(g.private! / MiB)).join(", ")} MiB ≥ budget ` +
          `${Math.round((result.guards[0]?.budget ?? 0) / MiB)} MiB), peak ${Math.round((result.peak ?? 0) / MiB)} MiB of ${LIMIT / MiB}`,
      );
      expect(result.oomKills, why).toBe(0);
      expect(result.failures, why).toEqual([]);
      // 320 MiB of leak against a budget of ~180 MiB per worker: at least one retirement.
      expect(result.guards.length, why).toBeGreaterThanOrEqual(1);
      for (const guard of result.guards) {
        expect(guard.private!, why).toBeGreaterThanOrEqual(guard.budget!);
        expect(guard.budget!, why).toBeGreaterThanOrEqual(plan.recycleBytes);
        // Retired gracefully: the worker exited by itself, with status 0, once.
        const exits = result.exits.filter((e) => e.worker === guard.pid);
        expect(
          exits.map((e) => e.exitcode),
          why,
        ).toEqual([0]);
      }
      expect(new Set(result.guards.map((g) => g.pid)).size, "one record per worker").toBe(
        result.guards.length,
      );
      expect(result.log(), why).toMatch(/gwarden: memory guard: private memory \d+ MiB >= budget \d+ MiB/);
      expect(result.peak ?? 0, why).toBeLessThan(LIMIT);
    },
  );
});

describe("without the guard (GWARDEN_GUARD_BYTES=0)", () => {
  it("the same load is OOM-killed: the harness sees the failure the guard prevents", async () => {
    const release = gunicornReleases()[0]!;
    const result = await leak(release, [], { GWARDEN_GUARD_BYTES: "0" }, "guard-off");
    console.log(
      `no guard, ${release.version} gthread: ${result.failures.length} failed, ${result.oomKills} OOM kills, peak ${Math.round((result.peak ?? 0) / MiB)} MiB`,
    );
    expect(result.guards).toEqual([]);
    expect(result.oomKills).toBeGreaterThanOrEqual(1);
  });
});

describe("under gwarden run (planned, adaptive control on)", () => {
  let run: GwardenRun | null = null;
  afterAll(async () => run?.close());

  it("160 requests leaking 2 MiB each at full speed: no OOM kill, no failed request, the leaking worker retired", async () => {
    run = await startRun({
      release: gunicornReleases()[0]!,
      memoryBytes: LIMIT,
      cpus: 1,
      env: { EXAMPLE_FAULTS: "1" },
    });
    const started = run;
    await until("a worker ready", async () => (await started.api("/healthz")).status === 200, 60_000);
    const failures = await fullSpeed(`http://127.0.0.1:${run.appPort}/leak?kb=2048`, REQUESTS, LANES);
    const state = JSON.parse((await run.api("/api/state")).body) as { eventsByKind: Record<string, number> };
    const why = `${JSON.stringify(state.eventsByKind)}\n${run.stderr().slice(-3000)}`;
    console.log(
      `${/gwarden: plan: [^;]*/.exec(run.stderr())?.[0] ?? "gwarden: plan: ?"}\n` +
        `gwarden run, leak at full speed: ${REQUESTS} requests, ${failures.length} failed, ` +
        `${run.sandbox.oomKills()} OOM kills, events ${JSON.stringify(state.eventsByKind)}`,
    );
    expect(failures, why).toEqual([]);
    expect(run.sandbox.oomKills(), why).toBe(0);
    expect(state.eventsByKind.oom_kill ?? 0, why).toBe(0);
    // The guard (or adaptive control) retired the leaking worker: 320 MiB of leak do not fit one worker.
    expect(state.eventsByKind.recycle ?? 0, why).toBeGreaterThanOrEqual(1);
  });
});
