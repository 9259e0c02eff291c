import { describe, expect, it } from "vitest";
import { eventFromHook } from "../../../../src/core/events/from-hook.js";
import type { HookRecord } from "../../../../src/core/events/hook-record.js";

const rec = (r: Partial<HookRecord> & Pick<HookRecord, "hook">): HookRecord => ({
  pid: 42,
  ppid: 1,
  time: 1764214000.5,
  ...r,
});

describe("eventFromHook", () => {
  it.each([
    [
      rec({ hook: "on_starting", version: "23.0.0" }),
      { kind: "start", pid: 42, masterPid: 42, version: "23.0.0" },
    ],
    [
      rec({ hook: "when_ready", addresses: ["http://127.0.0.1:8000"] }),
      { kind: "listening", address: "http://127.0.0.1:8000" },
    ],
    [rec({ hook: "post_fork" }), { kind: "worker_boot", pid: 42 }],
    [rec({ hook: "post_worker_init" }), { kind: "worker_ready", pid: 42 }],
    [
      rec({ hook: "post_worker_init", userHookError: "ValueError" }),
      { kind: "worker_boot_error", pid: 42, message: "post_worker_init hook raised ValueError" },
    ],
    [rec({ hook: "worker_abort" }), { kind: "worker_timeout", pid: 42 }],
    [rec({ hook: "child_exit", worker: 43, exitcode: 0 }), { kind: "worker_exit", pid: 43 }],
    [rec({ hook: "child_exit", worker: 43, exitcode: 3 }), { kind: "worker_exit_code", pid: 43, code: 3 }],
    [
      rec({ hook: "child_exit", worker: 43, signal: 9 }),
      { kind: "worker_signal", pid: 43, signal: "SIGKILL", cause: "unknown" },
    ],
    [rec({ hook: "nworkers_changed", new: 3, old: 2 }), { kind: "master_signal", signal: "ttin" }],
    [rec({ hook: "nworkers_changed", new: 1, old: 2 }), { kind: "master_signal", signal: "ttou" }],
    [rec({ hook: "on_reload" }), { kind: "master_signal", signal: "hup" }],
    [rec({ hook: "on_exit" }), { kind: "halt" }],
    [
      rec({ hook: "memory_guard", rss: 300 * 1048576, private: 151 * 1048576, budget: 150 * 1048576 }),
      {
        kind: "recycle",
        pid: 42,
        bytes: 151 * 1048576,
        reason: "memory: in-worker guard: private memory 151 MiB ≥ budget 150 MiB",
      },
    ],
  ])("%o", (record, expected) => {
    expect(eventFromHook(record)).toMatchObject({
      ...expected,
      source: "hook",
      time: "2025-11-27T03:26:40.500Z",
    });
  });

  it("returns null for hooks outside the lifecycle", () => {
    expect(
      eventFromHook(rec({ hook: "memory_event", kind: "threshold", threshold: 1, usage: 2 })),
    ).toBeNull();
    expect(eventFromHook(rec({ hook: "nworkers_changed", new: 2, old: null }))).toBeNull();
  });
});
