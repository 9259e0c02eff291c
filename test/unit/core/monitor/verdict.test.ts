import { describe, expect, it } from "vitest";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { judge } from "../../../../src/core/monitor/verdict.js";
import { snapshot, worker } from "../snapshot/example-snapshot.js";
import { killEvents } from "./example-view.js";

const MiB = 1024 * 1024;
const three = [worker(101, "ready"), worker(102, "ready"), worker(103, "busy")];

describe("judge", () => {
  it("is healthy with the master up, the planned workers ready and room in memory", () => {
    expect(judge(snapshot({ workers: three }), [])).toEqual({
      level: "healthy",
      reasons: [],
      recommendations: [],
      findings: [],
    });
  });

  it("fails with /healthz's reason when no worker can take requests", () => {
    const v = judge(snapshot({ workers: [worker(7, "booting")] }), []);
    expect(v.level).toBe("failing");
    expect(v.reasons[0]).toBe("no worker ready yet (1 booting)");
    expect(v.recommendations.length).toBeGreaterThan(0);
  });

  it("degrades near the memory limit and fails at it", () => {
    const near = snapshot({ workers: three, cgroup: { ...snapshot().cgroup!, workingSetBytes: 450 * MiB } });
    expect(judge(near, [])).toMatchObject({
      level: "degraded",
      reasons: ["memory at 88% of the 512 MiB limit"],
    });
    const full = snapshot({ workers: three, cgroup: { ...snapshot().cgroup!, workingSetBytes: 500 * MiB } });
    expect(judge(full, []).level).toBe("failing");
  });

  it("degrades on memory pressure and a filling accept queue", () => {
    const cg = snapshot().cgroup!;
    const v = judge(
      snapshot({
        workers: three,
        cgroup: { ...cg, memoryPressure: { some: { avg10: 22, avg60: 5, avg300: 1, total: 1 }, full: null } },
        backlog: { queued: 40, max: 64, listeners: 1 },
      }),
      [],
    );
    expect(v.level).toBe("degraded");
    expect(v.reasons).toEqual([
      "memory pressure: tasks stalled 22.0% of the last 10 s",
      "40 of 64 connections wait in the accept queue",
    ]);
  });

  it("reports a worker gone from /proc as a death, with where to look", () => {
    const v = judge(snapshot({ workers: three }), killEvents);
    expect(v.level).toBe("degraded");
    expect(v.reasons).toEqual(["1 worker died in the last minute"]);
    expect(v.recommendations[0]).toMatch(/OOM killer/);
  });

  it("uses the analyze findings over the recent events, and says what to do", () => {
    const v = judge(snapshot({ workers: three }), [
      {
        kind: "worker_signal",
        pid: 101,
        signal: "SIGKILL",
        cause: "oom-suspected",
        source: "log",
        time: "2026-11-27T04:00:02.000Z",
        line: "[ERROR] Worker (pid:101) was sent SIGKILL! Perhaps out of memory?",
      },
    ]);
    expect(v.level).toBe("degraded");
    expect(v.findings.map((f) => f.code).length).toBeGreaterThan(0);
    expect(v.recommendations.some((r) => /dmesg|memory/.test(r))).toBe(true);
  });

  it("does not mistake a run's interleaved hook and log boots for replaced workers", () => {
    const t = "2026-11-27T04:00:00+00:00";
    const events = [
      { kind: "start", version: "20.1.0", masterPid: 100, source: "log", pid: 100, time: t },
      { kind: "listening", address: "http://127.0.0.1:8000", source: "log", pid: 100, time: t },
      { kind: "worker_boot", pid: 101, source: "hook", time: "2026-11-27T04:00:00.284Z" },
      { kind: "worker_ready", pid: 101, source: "hook", time: "2026-11-27T04:00:00.293Z" },
      { kind: "worker_boot", pid: 102, source: "log", time: t },
      { kind: "worker_ready", pid: 102, source: "hook", time: "2026-11-27T04:00:00.362Z" },
      { kind: "worker_boot", pid: 103, source: "log", time: t },
      { kind: "worker_ready", pid: 103, source: "hook", time: "2026-11-27T04:00:00.431Z" },
    ] as GunicornEvent[];
    expect(judge(snapshot({ workers: three }), events).level).toBe("healthy");
  });

  it("counts timeouts of the last minute", () => {
    const v = judge(snapshot({ workers: three }), [{ kind: "worker_timeout", pid: 101, source: "log" }]);
    expect(v.level).toBe("degraded");
    expect(v.reasons.join(" ")).toMatch(/timeout/i);
  });

  it("degrades on app errors (gunicorn's Error handling request), not on an idle connection or a timeout's abort", () => {
    const at = "2026-11-27T04:00:03.000Z";
    const v = judge(snapshot({ workers: three }), [
      { kind: "request_error", pid: 101, path: "/boom", source: "log", time: at },
      { kind: "request_error", pid: 102, path: "/boom", source: "log", time: at },
      { kind: "request_error", pid: 103, message: "no URI read", source: "log", time: at },
    ]);
    expect(v.level).toBe("degraded");
    expect(v.reasons).toContain("2 requests failed with an app error (HTTP 500) in the last minute");
    expect(v.recommendations.join(" ")).toMatch(/Error handling request/);
    const aborted = judge(snapshot({ workers: three }), [
      { kind: "worker_timeout", pid: 101, source: "log", time: at },
      { kind: "request_error", pid: 101, path: "/slow", source: "log", time: at },
    ]);
    expect(aborted.reasons.join(" ")).not.toMatch(/app error/);
  });

  it("takes a 5xx count when a source has one, in place of the app errors it includes", () => {
    const errors = [{ kind: "request_error", pid: 101, path: "/boom", source: "log" }] as GunicornEvent[];
    const v = judge(snapshot({ workers: three }), errors, { appErrors: 1, serverErrors: 7 });
    expect(v.reasons).toContain("7 requests answered 5xx in the last minute");
  });
});
