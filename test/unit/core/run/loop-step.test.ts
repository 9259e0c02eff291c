import { describe, expect, it } from "vitest";
import { masterLife } from "../../../../src/core/run/loop-state.js";
import { STOP_BOOTING_MS, STOP_KILL_SLACK_MS } from "../../../../src/core/run/loop-step.js";
import { testConfig } from "../adaptive/world.js";
import { config, MiB, world } from "./loop-world.js";

describe("the run loop: watching workers", () => {
  it("keeps one event when the hook and the log report the same boot, and raises the worker's oom_score_adj", () => {
    const t = world();
    t.start();
    t.hook("on_starting", 10, { version: "26.2.2" });
    t.hook("post_fork", 11);
    t.log("[2026-12-07 05:00:00 +0000] [11] [INFO] Booting worker with pid: 11");
    expect(t.kinds()).toEqual(["start:10:", "worker_boot:11:"]);
    expect(t.of("set_oom_score").map((c) => [c.pid, c.value])).toEqual([
      [10, -500],
      [11, 1000],
    ]);
  });

  it("kills a worker past the boot deadline, and calls its death an escalation, not OOM", () => {
    const t = world();
    t.start();
    t.hook("on_starting", 10);
    t.hook("post_fork", 11);
    t.boot(12);
    t.advance(5100);
    t.sample(10, [11, 12]);
    expect(t.signals()).toEqual([[11, "SIGKILL"]]);
    t.hook("child_exit", 10, { worker: 11, signal: 9 });
    expect(t.kinds().slice(-2)).toEqual(["boot_deadline_kill:11:", "worker_signal:11:timeout-escalation"]);
  });

  it("waits for a worker past the deadline that is still importing (busy CPU), up to 10× the deadline", () => {
    const t = world();
    t.start();
    t.hook("on_starting", 10);
    t.hook("post_fork", 11);
    let cpu = 0;
    for (let s = 0; s < 12; s++) {
      t.advance(1000);
      cpu += 0.8;
      t.sample(10, [{ pid: 11, cpu }]);
    }
    expect(t.signals()).toEqual([]);
    expect(t.said()).toContain(
      "worker 11 is still importing after the 5 s boot deadline but busy (80 % of a CPU)",
    );
    for (let s = 0; s < 40; s++) {
      t.advance(1000);
      cpu += 0.8;
      t.sample(10, [{ pid: 11, cpu }]);
    }
    expect(t.signals()).toEqual([[11, "SIGKILL"]]);
  });

  it("kills a worker past the deadline once its import goes idle", () => {
    const t = world();
    t.start();
    t.hook("on_starting", 10);
    t.hook("post_fork", 11);
    for (const cpu of [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 3.5, 3.5]) {
      t.advance(1000);
      t.sample(10, [{ pid: 11, cpu }]);
    }
    expect(t.signals()).toEqual([[11, "SIGKILL"]]);
  });

  it("enforces no deadline before the hook channel spoke (no readiness records would mean killing healthy workers)", () => {
    const t = world();
    t.start();
    t.log("[2026-12-07 05:00:00 +0000] [11] [INFO] Booting worker with pid: 11");
    t.advance(60_000);
    t.sample(10, [11]);
    expect(t.signals()).toEqual([]);
  });

  it("confirms an OOM kill from the next sample of the counter, and reports a /proc death nobody reported", () => {
    const t = world();
    t.start();
    t.hook("on_starting", 10);
    t.boot(11, 12, 13);
    t.sample(10, [11, 12, 13]);
    const asked = t.hook("child_exit", 10, { worker: 11, signal: 9 });
    expect(asked).toContainEqual({ kind: "sample_now" });
    expect(t.kinds().slice(-1)).toEqual(["worker_signal:11:oom-suspected"]);
    t.sample(10, [12, 13], { oomKills: 1 });
    expect(t.kinds().slice(-1)).toEqual(["worker_signal:11:oom-confirmed"]);
    expect(t.said()).toContain(
      "oom-confirmed: worker 11 was killed by the kernel's OOM killer (cgroup oom_kill 0 → 1)",
    );
    for (const workers of [[13], [13], [13]]) {
      t.advance(1000);
      t.sample(10, workers, { oomKills: 1 });
    }
    expect(t.kinds().slice(-1)).toEqual(["worker_signal:12:unknown"]);
    expect(t.events().slice(-1)[0]!.source).toBe("proc");
    expect(t.said()).toContain("worker 12 died without a word from gunicorn");
  });

  it("leaves a SIGKILL suspected when the counter does not move within the wait", () => {
    const t = world();
    t.start();
    t.boot(11, 12);
    t.sample(10, [11, 12]);
    t.hook("child_exit", 10, { worker: 12, signal: 9 });
    t.sample(10, [11]);
    t.advance(6000);
    t.sample(10, [11], { oomKills: 2 });
    expect(t.kinds().slice(-1)).toEqual(["worker_signal:12:oom-suspected"]);
  });

  it("checks a death against the first sample after it, however late a stalled loop takes it", () => {
    const t = world();
    t.start();
    t.boot(11, 12);
    t.sample(10, [11, 12]);
    t.hook("child_exit", 10, { worker: 12, signal: 9 });
    t.advance(6000);
    t.sample(10, [11], { oomKills: 1 });
    expect(t.kinds().slice(-1)).toEqual(["worker_signal:12:oom-confirmed"]);
  });

  it("confirms an OOM kill of a worker that was being retired (TERM sent, then SIGKILL by the kernel)", () => {
    const t = world();
    t.start();
    t.hook("on_starting", 10);
    t.boot(11);
    t.sample(10, [11]);
    t.hook("nworkers_changed", 10, { old: 2, new: 1 });
    t.log("[2026-12-07 05:00:00 +0000] [11] [INFO] Worker exiting (pid: 11)");
    t.hook("child_exit", 10, { worker: 11, signal: 9 });
    t.sample(10, [], { oomKills: 1 });
    expect(t.kinds().slice(-2)).toEqual(["worker_signal:11:scale-down", "worker_signal:11:oom-confirmed"]);
  });

  it("says once when a worker's oom_score_adj cannot be raised, and ignores a worker already gone", () => {
    const t = world();
    t.start();
    t.feed({ kind: "oom_score", pid: 11, value: 1000, error: "ENOENT" });
    t.feed({ kind: "oom_score", pid: 12, value: 1000, error: "EACCES" });
    t.feed({ kind: "oom_score", pid: 13, value: 1000, error: "EACCES" });
    expect(t.said().match(/cannot raise worker/g)).toHaveLength(1);
  });

  it("says what it did with the master's oom_score_adj, not what it meant to do", () => {
    const allowed = world();
    allowed.start();
    allowed.feed({ kind: "oom_score", pid: 10, value: -500, error: null });
    expect(allowed.said()).toContain("the master lowered to -500");
    const gone = world();
    gone.start();
    gone.feed({ kind: "oom_score", pid: 10, value: -500, error: "ESRCH" });
    expect(gone.said()).toContain("the master stays as it is (ESRCH)");
  });

  it("raises the master above gwarden where nothing can be lowered, on every master, said once", () => {
    const denied = world();
    denied.start();
    denied.feed({ kind: "oom_score", pid: 10, value: -500, error: "EACCES" });
    expect(denied.of("set_oom_score").slice(-1)).toEqual([{ kind: "set_oom_score", pid: 10, value: 500 }]);
    denied.feed({ kind: "oom_score", pid: 10, value: 500, error: null });
    expect(denied.of("set_oom_score")).toHaveLength(2);
    expect(denied.said().match(/the master is raised to 500/g)).toHaveLength(1);
  });

  it("follows the listening ports and tells systemd once a worker is ready", () => {
    const t = world();
    t.start();
    t.hook("when_ready", 10, { addresses: ["http://127.0.0.1:8123"] });
    t.log("[2026-12-07 05:00:00 +0000] [10] [INFO] Listening at: http://127.0.0.1:8123 (10)");
    expect(t.of("watch_master").slice(-1)).toEqual([{ kind: "watch_master", pid: 10, ports: [8123] }]);
    expect(t.of("notify")).toEqual([]);
    t.boot(11);
    t.boot(12);
    // Not before a sample shows a ready worker: /healthz reads the sample's workers.
    expect(t.of("notify")).toEqual([]);
    expect(t.of("sample_now").length).toBeGreaterThan(0);
    t.sample(10, [11, 12]);
    t.sample(10, [11, 12]);
    expect(t.of("notify")).toEqual([{ kind: "notify", message: "READY=1" }]);
  });

  it("pings systemd's watchdog at its interval while the master runs", () => {
    const t = world(config({ watchdogMs: 15_000 }));
    t.start();
    for (let i = 0; i < 40; i++) {
      t.sample(10, [11]);
      t.advance(1000);
    }
    expect(t.of("notify").map((c) => c.message)).toEqual(["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"]);
  });
});

describe("the run loop: the master's life", () => {
  it("restarts a master that dies with backoff 1 s, 2 s, 4 s, then gives up on flapping", () => {
    const t = world(
      config({
        restartPolicy: {
          initialDelayMs: 1000,
          factor: 2,
          maxDelayMs: 30_000,
          stableMs: 60_000,
          maxRestarts: 3,
        },
      }),
    );
    t.start(10);
    let pid = 10;
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      t.advance(2000);
      t.feed({ kind: "master_exit", pid, exit: { code: 1, signal: null }, stderrTail: "", oomKills: 0 });
      const schedule = t.of("schedule").filter((c) => c.id === "restart");
      if (schedule.length > delays.length) {
        delays.push(schedule.at(-1)!.atMs - (t.state.history.at(-1)?.endedAtMs ?? 0));
        t.advance(schedule.at(-1)!.atMs - (t.state.history.at(-1)?.endedAtMs ?? 0));
        expect(t.feed({ kind: "timer", id: "restart" })).toEqual([{ kind: "spawn" }]);
        t.feed({ kind: "spawned", pid: ++pid, oomKills: 0 });
      }
    }
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(t.kinds().filter((k) => k.startsWith("restart"))).toHaveLength(3);
    expect(t.said()).toContain("error: giving up: gunicorn exited with code 1, 4 failures in a row");
    expect(t.of("exit")).toEqual([{ kind: "exit", code: 1 }]);
    expect(masterLife(t.state)).toMatchObject({ state: "down", exitCode: 1 });
  });

  it("gives up at the first failure that a restart cannot mend, with the app's error and its fix", () => {
    const t = world();
    t.start();
    const tail = [
      "Traceback (most recent call last):",
      '  File "/usr/lib/python3/dist-packages/gunicorn/util.py", line 359, in import_app',
      "ModuleNotFoundError: No module named 'nosuchmod'",
      "[2026-12-07 05:00:00 +0000] [11] [INFO] Worker exiting (pid: 11)",
      "[2026-12-07 05:00:00 +0000] [10] [INFO] Reason: Worker failed to boot.",
    ].join("\n");
    t.feed({ kind: "master_exit", pid: 10, exit: { code: 3, signal: null }, stderrTail: tail, oomKills: 0 });
    expect(t.of("schedule")).toEqual([]);
    expect(t.said()).toContain(
      "error: the app does not import: no module named 'nosuchmod'; a restart cannot help",
    );
    expect(t.said()).toContain("fix: check the module:callable");
    expect(t.of("exit")).toEqual([{ kind: "exit", code: 3 }]);
  });

  it("keeps the backoff for an import that fails for a passing reason (the database not up yet)", () => {
    const t = world();
    t.start();
    const tail =
      'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "db" failed: Connection refused\n';
    t.feed({ kind: "master_exit", pid: 10, exit: { code: 3, signal: null }, stderrTail: tail, oomKills: 0 });
    expect(t.of("schedule")).toMatchObject([{ id: "restart" }]);
  });

  it("stops gracefully, then quickly (QUIT to the workers: the master ignores signals while it waits), then by force", () => {
    const t = world();
    t.start();
    t.hook("on_starting", 10);
    t.boot(11, 12);
    t.hook("post_fork", 13);
    t.sample(10, [11, 12, 13]);
    const first = t.feed({ kind: "signal", signal: "SIGTERM" });
    expect(first).toContainEqual({ kind: "signal", target: 10, signal: "SIGTERM" });
    expect(first).toContainEqual({ kind: "schedule", id: "stop-kill", atMs: 30_000 + STOP_KILL_SLACK_MS });
    expect(first).toContainEqual({ kind: "notify", message: "STOPPING=1" });
    expect(masterLife(t.state).state).toBe("stopping");
    // The booting worker dies once the master is stopping, not before (it would fork a replacement).
    expect(first).not.toContainEqual({ kind: "signal", target: 13, signal: "SIGKILL" });
    const acknowledged = t.log("[2026-12-07 05:00:00 +0000] [10] [INFO] Handling signal: term");
    expect(acknowledged).toContainEqual({ kind: "signal", target: 13, signal: "SIGKILL" });
    expect(t.feed({ kind: "timer", id: "stop-booting" }).filter((c) => c.kind === "signal")).toEqual([]);
    const second = t.feed({ kind: "signal", signal: "SIGINT" });
    expect(second.filter((c) => c.kind === "signal")).toEqual([
      { kind: "signal", target: 11, signal: "SIGQUIT" },
      { kind: "signal", target: 12, signal: "SIGQUIT" },
      { kind: "signal", target: 13, signal: "SIGQUIT" },
      { kind: "signal", target: 10, signal: "SIGINT" },
    ]);
    const third = t.feed({ kind: "signal", signal: "SIGINT" });
    expect(third).toContainEqual({ kind: "signal", target: -10, signal: "SIGKILL" });
    const end = t.feed({
      kind: "master_exit",
      pid: 10,
      exit: { code: null, signal: "SIGKILL" },
      stderrTail: "",
      oomKills: 0,
    });
    expect(end).toContainEqual({ kind: "exit", code: 137 });
    expect(end).toContainEqual({ kind: "cancel", id: "stop-kill" });
  });

  it("kills the workers still booting after a while when the master never says it is stopping", () => {
    const t = world();
    t.start();
    t.hook("on_starting", 10);
    t.hook("post_fork", 13);
    t.sample(10, [13]);
    expect(t.feed({ kind: "signal", signal: "SIGTERM" })).toContainEqual({
      kind: "schedule",
      id: "stop-booting",
      atMs: STOP_BOOTING_MS,
    });
    t.advance(STOP_BOOTING_MS);
    expect(t.feed({ kind: "timer", id: "stop-booting" })).toContainEqual({
      kind: "signal",
      target: 13,
      signal: "SIGKILL",
    });
  });

  it("kills the process group when gunicorn outlives the graceful timeout", () => {
    const t = world(config({ gracefulTimeoutMs: 2000 }));
    t.start();
    t.feed({ kind: "signal", signal: "SIGTERM" });
    t.advance(2000 + STOP_KILL_SLACK_MS);
    expect(t.feed({ kind: "timer", id: "stop-kill" })).toContainEqual({
      kind: "signal",
      target: -10,
      signal: "SIGKILL",
    });
  });

  it("stops during the restart backoff without starting again, and stops a master that was still starting", () => {
    const backoff = world();
    backoff.start();
    backoff.feed({
      kind: "master_exit",
      pid: 10,
      exit: { code: 1, signal: null },
      stderrTail: "",
      oomKills: 0,
    });
    expect(backoff.feed({ kind: "signal", signal: "SIGTERM" })).toContainEqual({ kind: "exit", code: 1 });
    expect(backoff.feed({ kind: "timer", id: "restart" })).toEqual([]);
    const starting = world();
    starting.feed({ kind: "begin" });
    starting.feed({ kind: "signal", signal: "SIGTERM" });
    expect(starting.feed({ kind: "spawned", pid: 10, oomKills: 0 })).toContainEqual({
      kind: "signal",
      target: 10,
      signal: "SIGTERM",
    });
  });

  it("passes HUP, TTIN, TTOU and USR1 on to the master, and says what a HUP does", () => {
    const t = world();
    t.start();
    for (const signal of ["SIGHUP", "SIGTTIN", "SIGTTOU", "SIGUSR1"] as const)
      t.feed({ kind: "signal", signal });
    expect(t.signals()).toEqual([
      [10, "SIGHUP"],
      [10, "SIGTTIN"],
      [10, "SIGTTOU"],
      [10, "SIGUSR1"],
    ]);
    expect(t.said()).toContain("resets a TTIN/TTOU-adjusted count");
  });

  it("says when the master itself was OOM-killed, and when it was the kernel's second victim", () => {
    const masterKilled = (oomKills: number): string => {
      const t = world();
      t.start(10, 3);
      t.feed({
        kind: "master_exit",
        pid: 10,
        exit: { code: null, signal: "SIGKILL" },
        stderrTail: "",
        oomKills,
      });
      return t.said();
    };
    expect(masterKilled(4)).toContain("the gunicorn master was OOM-killed (cgroup oom_kill 3 → 4)");
    expect(masterKilled(5)).toContain("OOM-killed right after another process (cgroup oom_kill 3 → 5)");
  });

  it("fails with E_GUNICORN_MISSING when gunicorn cannot be started", () => {
    const t = world();
    t.feed({ kind: "begin" });
    expect(
      t.feed({ kind: "spawn_failed", message: "Cannot start `gunicorn`: spawn gunicorn ENOENT" }),
    ).toMatchObject([{ kind: "fail", code: "E_GUNICORN_MISSING" }]);
  });
});

describe("the run loop: adaptive control", () => {
  const adaptive = () => world(config({ adaptive: testConfig({ workers: 2 }) }));

  it("sends SIGTTIN to the master after 2 s of overload and records scale_up from the supervisor", () => {
    const t = adaptive();
    t.hook("nworkers_changed", 10, { new: 2, old: null });
    t.start();
    t.boot(11, 12);
    for (let i = 0; i < 3; i++) {
      t.sample(
        10,
        [
          { pid: 11, uss: 100 * MiB, busy: 1 },
          { pid: 12, uss: 100 * MiB, busy: 1 },
        ],
        { backlog: 5, workingSet: 400 * MiB },
      );
      t.advance(1000);
    }
    expect(t.signals()).toEqual([[10, "SIGTTIN"]]);
    expect(t.events().filter((e) => e.kind === "scale_up")).toMatchObject([
      { kind: "scale_up", from: 2, to: 3, source: "supervisor" },
    ]);
  });

  it("recycles a worker over the budget with a graceful SIGTERM, and ignores samples of another master", () => {
    const t = adaptive();
    t.start();
    t.boot(11, 12);
    t.sample(99, [
      { pid: 11, uss: 100 * MiB },
      { pid: 12, uss: 300 * MiB },
    ]);
    expect(t.signals()).toEqual([]);
    t.sample(10, [
      { pid: 11, uss: 100 * MiB },
      { pid: 12, uss: 100 * MiB },
    ]);
    t.advance(1000);
    t.sample(10, [
      { pid: 11, uss: 100 * MiB },
      { pid: 12, uss: 300 * MiB },
    ]);
    expect(t.signals()).toEqual([[12, "SIGTERM"]]);
    expect(t.events().filter((e) => e.kind === "recycle")).toMatchObject([
      { kind: "recycle", pid: 12, bytes: 300 * MiB, source: "supervisor" },
    ]);
  });

  it("re-applies its target after a HUP resets gunicorn's count", () => {
    const t = adaptive();
    t.hook("nworkers_changed", 10, { new: 2, old: null });
    t.start();
    t.boot(11, 12);
    for (let i = 0; i < 3; i++) {
      t.sample(10, [11, 12], { backlog: 5 });
      t.advance(1000);
    }
    t.hook("nworkers_changed", 10, { new: 3, old: 2 });
    t.boot(13);
    t.sample(10, [11, 12, 13]);
    t.advance(1000);
    t.hook("on_reload", 10);
    t.hook("nworkers_changed", 10, { new: 2, old: 3 });
    for (let i = 0; i < 3; i++) {
      t.sample(10, [11, 12, 13]);
      t.advance(1000);
    }
    expect(t.signals()).toEqual([
      [10, "SIGTTIN"],
      [10, "SIGTTIN"],
    ]);
    expect(t.said()).toContain("re-apply the target of 3");
  });

  it("does not scale while gwarden is stopping", () => {
    const t = adaptive();
    t.start();
    t.boot(11, 12);
    t.feed({ kind: "signal", signal: "SIGTERM" });
    for (let i = 0; i < 5; i++) {
      t.sample(10, [11, 12], { backlog: 20 });
      t.advance(1000);
    }
    expect(t.signals().filter(([, s]) => s === "SIGTTIN")).toEqual([]);
  });
});
