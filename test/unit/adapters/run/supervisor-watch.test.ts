import { describe, expect, it } from "vitest";
import type { HookRecord } from "../../../../src/core/events/hook-record.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import type { Sample, ProcessSample } from "../../../../src/core/sample/sample.js";
import { createWatch } from "../../../../src/adapters/run/supervisor-watch.js";
import { UNKNOWN_MEMORY } from "../../../../src/core/sample/figures.js";

function proc(pid: number): ProcessSample {
  return {
    pid,
    procState: "S",
    startTimeTicks: 1,
    memory: { ...UNKNOWN_MEMORY, rss: 50 << 20, uss: 40 << 20 },
    cpuSeconds: 0,
    cpuPercent: 0,
  };
}

function sample(master: number, workers: number[], oomKills = 0): Sample {
  return {
    time: "2026-11-27T05:00:00.000Z",
    atMs: 0,
    durationMs: 1,
    master: proc(master),
    workers: workers.map(proc),
    cgroup: {
      limitBytes: 300 << 20,
      usageBytes: 290 << 20,
      workingSetBytes: null,
      swapUsageBytes: null,
      memoryPressure: null,
      oomKills,
    },
    backlog: null,
    self: proc(1),
  };
}

function setup(oomKills: { value: number }) {
  let now = 0;
  const said: string[] = [];
  const killed: [number, string][] = [];
  const scored: [number, number][] = [];
  const watch = createWatch(
    { plan: null, bootDeadlineMs: 5000, eventLog: null },
    {
      now: () => now,
      wallClock: () => new Date(Date.UTC(2026, 10, 27, 5, 0, now / 1000)),
      kill: (pid, signal) => killed.push([pid, signal]),
      setOomScore: (pid, value) => (scored.push([pid, value]), null),
      readOomKills: () => oomKills.value,
      say: (text) => said.push(text),
    },
  );
  watch.attach();
  const hook = (hook: HookRecord["hook"], pid: number, extra: Partial<HookRecord> = {}) =>
    watch.fromHook({ hook, pid, ppid: 10, time: 1764219600 + now / 1000, ...extra });
  return { watch, said, killed, scored, hook, advance: (ms: number) => (now += ms) };
}

const kinds = (events: { item: GunicornEvent }[]) =>
  events.map(
    (e) => `${e.item.kind}:${e.item.pid ?? ""}:${e.item.kind === "worker_signal" ? e.item.cause : ""}`,
  );

describe("the watch", () => {
  it("keeps one event when the hook and the log report the same boot, and raises the worker's oom_score_adj", () => {
    const t = setup({ value: 0 });
    t.hook("on_starting", 10, { version: "26.2.2" });
    t.hook("post_fork", 11);
    t.watch.fromLogLine("[2026-11-27 05:00:00 +0000] [11] [INFO] Booting worker with pid: 11");
    expect(kinds(t.watch.ring.toArray())).toEqual(["start:10:", "worker_boot:11:"]);
    expect(t.scored).toEqual([[11, 1000]]);
  });

  it("kills a worker past the boot deadline, and calls its death an escalation, not OOM", () => {
    const t = setup({ value: 0 });
    t.hook("on_starting", 10);
    t.hook("post_fork", 11);
    t.hook("post_fork", 12);
    t.hook("post_worker_init", 12);
    t.advance(5100);
    t.watch.onSample(sample(10, [11, 12]));
    expect(t.killed).toEqual([[11, "SIGKILL"]]);
    t.hook("child_exit", 10, { worker: 11, signal: 9 });
    expect(kinds(t.watch.ring.toArray()).slice(-2)).toEqual([
      "boot_deadline_kill:11:",
      "worker_signal:11:timeout-escalation",
    ]);
  });

  it("enforces no deadline before the hook channel spoke (no readiness records would mean killing healthy workers)", () => {
    const t = setup({ value: 0 });
    t.watch.fromLogLine("[2026-11-27 05:00:00 +0000] [11] [INFO] Booting worker with pid: 11");
    t.advance(60_000);
    t.watch.onSample(sample(10, [11]));
    expect(t.killed).toEqual([]);
  });

  it("confirms an OOM kill when the counter rose, and synthesizes a /proc death nobody reported", () => {
    const oom = { value: 0 };
    const t = setup(oom);
    t.hook("on_starting", 10);
    for (const pid of [11, 12, 13]) {
      t.hook("post_fork", pid);
      t.hook("post_worker_init", pid);
    }
    t.watch.onSample(sample(10, [11, 12, 13]));
    oom.value = 1;
    t.hook("child_exit", 10, { worker: 11, signal: 9 });
    expect(kinds(t.watch.ring.toArray()).slice(-2)).toEqual([
      "worker_signal:11:oom-suspected",
      "worker_signal:11:oom-confirmed",
    ]);
    expect(t.said.join("\n")).toContain("oom-confirmed: worker 11");
    t.advance(1000);
    t.watch.onSample(sample(10, [12, 13]));
    t.advance(1000);
    t.watch.onSample(sample(10, [13]));
    t.advance(1000);
    t.watch.onSample(sample(10, [13]));
    expect(kinds(t.watch.ring.toArray()).slice(-1)).toEqual(["worker_signal:12:unknown"]);
    expect(t.watch.ring.toArray().slice(-1)[0]!.item.source).toBe("proc");
  });

  it("confirms an OOM kill the counter shows only after the death was reported, and not after the wait", () => {
    const oom = { value: 0 };
    const t = setup(oom);
    t.hook("on_starting", 10);
    for (const pid of [11, 12]) {
      t.hook("post_fork", pid);
      t.hook("post_worker_init", pid);
    }
    t.watch.onSample(sample(10, [11, 12], 0));
    t.hook("child_exit", 10, { worker: 11, signal: 9 });
    expect(kinds(t.watch.ring.toArray()).slice(-1)).toEqual(["worker_signal:11:oom-suspected"]);
    t.advance(1000);
    oom.value = 1;
    t.watch.onSample(sample(10, [12], 1));
    expect(kinds(t.watch.ring.toArray()).slice(-1)).toEqual(["worker_signal:11:oom-confirmed"]);
    expect(t.said.join("\n")).toContain("cgroup oom_kill 0 → 1");
    // A second SIGKILL whose counter never moves within the wait stays suspected.
    t.hook("child_exit", 10, { worker: 12, signal: 9 });
    t.advance(6000);
    oom.value = 2;
    t.watch.onSample(sample(10, [], 2));
    expect(kinds(t.watch.ring.toArray()).slice(-1)).toEqual(["worker_signal:12:oom-suspected"]);
  });

  it("confirms an OOM kill of a worker that was being retired (TERM sent, then SIGKILL by the kernel)", () => {
    const oom = { value: 0 };
    const t = setup(oom);
    t.hook("on_starting", 10);
    t.hook("post_fork", 11);
    t.hook("post_worker_init", 11);
    t.watch.onSample(sample(10, [11], 0));
    t.hook("nworkers_changed", 10, { old: 2, new: 1 });
    t.watch.fromLogLine("[2026-11-27 05:00:00 +0000] [11] [INFO] Worker exiting (pid: 11)");
    oom.value = 1;
    t.hook("child_exit", 10, { worker: 11, signal: 9 });
    expect(kinds(t.watch.ring.toArray()).slice(-2)).toEqual([
      "worker_signal:11:scale-down",
      "worker_signal:11:oom-confirmed",
    ]);
  });
});
