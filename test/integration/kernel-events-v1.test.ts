/**
 * Issue 10 item 3 on cgroup v1 (this machine): the master's watcher (src/python/gwarden_runtime/
 * kernel_events.py) registers usage thresholds through cgroup.event_control + eventfd and OOM
 * notices through memory.oom_control, in a real memory cgroup, and writes one memory_event record
 * per crossing at once.
 *
 * 1. Latency: test/python/threshold_driver.py plays the master inside the group; a forked child
 *    allocates 1 MiB at a time and notes when it first sees usage past each threshold. Measured: the
 *    child's sighting → the watcher's record (its `time`), and the record → its arrival here.
 * 2. End to end: gunicorn with the rendered conf and GWARDEN_MEMORY_THRESHOLDS / GWARDEN_MEMORY_EVENTS:
 *    a hog crosses a threshold (up, then down when its worker is gone), and a hog past the limit is
 *    OOM-killed — the oom record comes before gunicorn reaps the worker.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pythonRuntime } from "../../src/adapters/conf/python-runtime.js";
import {
  HOOK_STDIO,
  hookChannelEnv,
  hookStream,
  readHookRecords,
} from "../../src/adapters/run/hook-channel.js";
import { createSandbox, type Sandbox } from "../../src/adapters/sandbox/cgroup-sandbox.js";
import {
  startSandboxedGunicorn,
  type SandboxedGunicorn,
} from "../../src/adapters/sandbox/sandboxed-gunicorn.js";
import { renderGunicornConf } from "../../src/core/conf/render.js";
import type { HookRecord } from "../../src/core/events/hook-record.js";
import { exampleDir, gunicornReleases, repoRoot, systemPython } from "../helpers/gunicorns.js";

const MiB = 1048576;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

interface Arrival {
  record: HookRecord;
  /** Unix seconds when the line was read here. */
  at: number;
}

async function runDriver(sandbox: Sandbox, offsetsMiB: number[]) {
  const driver = join(repoRoot, "test/python/threshold_driver.py");
  const argv = sandbox.wrap([systemPython, driver, sandbox.memoryDir, ...offsetsMiB.map(String)]);
  const child = spawn(argv[0]!, argv.slice(1), {
    env: {
      ...process.env,
      ...hookChannelEnv(),
      PYTHONPATH: join(repoRoot, "src/python"),
      GWARDEN_MEMORY_EVENTS: "1",
      // No GWARDEN_CGROUP_DIR: the watcher finds its group from /proc/self/cgroup and mountinfo.
    },
    stdio: HOOK_STDIO,
  });
  const arrivals: Arrival[] = [];
  // Sub-millisecond wall clock, comparable with Python's time.time().
  const now = (): number => (performance.timeOrigin + performance.now()) / 1000;
  readHookRecords(hookStream(child)!, (record) => arrivals.push({ record, at: now() }));
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { code, out, err, arrivals };
}

describe("cgroup v1 memory events from the master's watcher", () => {
  it("records each threshold crossing at once (latency measured)", async () => {
    const sandbox = await createSandbox({ memoryBytes: 512 * MiB, name: "kernel-events" });
    cleanups.push(() => sandbox.remove());
    if (sandbox.version !== "v1") return; // the v2 paths run in the VM: test/vm/kernel-events-v2.py
    const offsets = [24, 48, 72, 96, 120, 144, 168, 192];
    const run = await runDriver(sandbox, offsets);
    expect(run.code, run.err).toBe(0);
    const result = JSON.parse(run.out.trim().split("\n").at(-1)!) as {
      crossed: Record<string, [number, number]>;
      childDroppedWatcher: boolean;
    };
    expect(result.childDroppedWatcher).toBe(true);
    const ups = run.arrivals.filter((a) => a.record.kind === "threshold" && a.record.direction === "up");
    const thresholds = Object.keys(result.crossed).map(Number);
    expect(thresholds).toHaveLength(offsets.length);
    const latencies: number[] = [];
    const bounds: number[] = [];
    const transits: number[] = [];
    for (const threshold of thresholds) {
      const up = ups.find((a) => a.record.threshold === threshold);
      expect(up, `an "up" record for ${threshold}`).toBeDefined();
      expect(up!.record.usage!).toBeGreaterThanOrEqual(threshold);
      const [below, past] = result.crossed[String(threshold)]!;
      latencies.push((up!.record.time - past) * 1000);
      bounds.push((up!.record.time - below) * 1000);
      transits.push((up!.at - up!.record.time) * 1000);
    }
    // The child frees its memory when it exits: the same thresholds are crossed down.
    expect(run.arrivals.some((a) => a.record.kind === "threshold" && a.record.direction === "down")).toBe(
      true,
    );
    const ms = (values: number[]): string =>
      `median ${median(values).toFixed(2)}, min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)}`;
    console.log(
      `v1 thresholds, ${thresholds.length} crossings (ms; under load from other sessions): ` +
        `the child's first sighting past the threshold → the watcher's record: ${ms(latencies)} ` +
        `(negative: the kernel woke the watcher before the child read usage); ` +
        `last sighting below → record (an upper bound from the crossing): ${ms(bounds)}; ` +
        `record written → read by Node: ${ms(transits)}`,
    );
  });

  it("under gunicorn with the rendered conf: a threshold crossed by a hog, and an OOM kill, reported before the reap", async () => {
    const release = gunicornReleases()[0]!;
    const conf = renderGunicornConf({
      settings: { workers: 1, timeout: 30, loglevel: "info" },
      gcFreeze: false,
      userConfig: null,
      comments: ["kernel events v1"],
      guard: null,
      runtime: pythonRuntime(),
    });
    const limit = 256 * MiB;
    let app: SandboxedGunicorn | null = null;
    app = await startSandboxedGunicorn({
      tierBytes: limit,
      cpus: 1,
      name: "kernel-events-gunicorn",
      launcher: release.command,
      args: ["--chdir", exampleDir, "app:app"],
      conf,
      env: {
        ...release.env,
        EXAMPLE_FAULTS: "1",
        GWARDEN_MEMORY_THRESHOLDS: String(160 * MiB),
        GWARDEN_MEMORY_EVENTS: "1",
      },
      label: "kernel events",
    });
    cleanups.push(() => app!.stop());
    if (app.sandbox.version !== "v1") return;
    await app.gunicorn.waitUntil((records) => records.some((r) => r.hook === "post_worker_init"), 60_000);
    const records = app.gunicorn.records;
    expect(records.filter((r) => r.hook === "memory_event" && r.kind === "unavailable")).toEqual([]);
    const usage = app.sandbox.usageBytes()!;
    expect(usage).toBeLessThan(160 * MiB);

    // A hog that stays under the limit: the threshold is crossed up, then down once its worker is gone.
    const hog = await fetch(`${app.origin}/hog?mb=${Math.ceil((176 * MiB - usage) / MiB)}`);
    expect(hog.status).toBe(200);
    const up = records.find(
      (r) => r.hook === "memory_event" && r.kind === "threshold" && r.direction === "up",
    );
    expect(up).toMatchObject({ threshold: 160 * MiB, limit });

    // A hog past the limit: the kernel kills the worker; the watcher says so before gunicorn reaps it.
    const worker = records.find((r) => r.hook === "post_worker_init")!.pid;
    await fetch(`${app.origin}/hog?mb=300`).catch(() => null);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !records.some((r) => r.hook === "child_exit" && r.worker === worker))
      await new Promise((resolve) => setTimeout(resolve, 50));
    const oom = records.find((r) => r.hook === "memory_event" && r.kind === "oom");
    const reaped = records.find((r) => r.hook === "child_exit" && r.worker === worker);
    expect(oom, JSON.stringify(records.filter((r) => r.hook === "memory_event"))).toBeDefined();
    expect(oom!.oomKill).toBeGreaterThanOrEqual(1);
    expect(reaped).toMatchObject({ signal: 9 });
    expect(records.indexOf(oom!)).toBeLessThan(records.indexOf(reaped!));
    expect(
      records.some((r) => r.hook === "memory_event" && r.kind === "threshold" && r.direction === "down"),
    ).toBe(true);
    console.log(
      `v1 OOM notice: the oom record came ${((reaped!.time - oom!.time) * 1000).toFixed(1)} ms before gunicorn's child_exit of the killed worker`,
    );
  });
});
