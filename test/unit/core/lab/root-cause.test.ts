import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cellFindings, layoutArithmetic, rootCause } from "../../../../src/core/lab/root-cause.js";
import type { AppSizes } from "../../../../src/core/lab/types.js";
import { cell } from "./cell-fixture.js";

const MiB = 1024 * 1024;
const sizes: AppSizes = {
  importSeconds: 1.3,
  masterBytes: 29 * MiB,
  workerPrivateBytes: 112 * MiB,
  preloadMasterBytes: 130 * MiB,
  preloadWorkerPrivateBytes: 17 * MiB,
};
const recorded = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures/logs/20.1.0", name), "utf8")
    .trimEnd()
    .split("\n");

describe("root causes of failing cells", () => {
  it("states the layout's arithmetic from the profile", () => {
    expect(layoutArithmetic(sizes, { workers: 3, preload: false })).toEqual({
      text: "3 workers × 112 MiB private + master 29 MiB = 365 MiB",
      bytes: 365 * MiB,
    });
    expect(layoutArithmetic(sizes, { workers: 1, preload: true })!.text).toBe(
      "1 worker × 17 MiB private + preloaded master 130 MiB = 147 MiB",
    );
    expect(layoutArithmetic(null, { workers: 3, preload: false })).toBeNull();
  });

  it("names an OOM-kill loop during boot from a recorded 20.1.0 log and the cgroup counter", () => {
    const failing = cell({
      config: "default",
      configLabel: "3×1 sync",
      scenario: "startup",
      oomKills: 12,
      startupSeconds: null,
      passed: false,
      expectedWorkers: 3,
      log: recorded("oom-boot-loop.log"),
    });
    const text = rootCause(failing, { workers: 3, preload: false }, sizes)!;
    expect(text).toMatch(
      /^3 workers × 112 MiB private \+ master 29 MiB = 365 MiB > 256M: OOM-kill loop during boot \(12 OOM kills, the workers never all came up\)\./,
    );
    expect(text).toContain("analyze: `oom-kill-loop`");
    expect(cellFindings(failing)[0]!.code).toBe("oom-kill-loop");
  });

  it("names worker timeouts from a recorded request-timeout log", () => {
    const failing = cell({
      scenario: "heavy",
      workerTimeouts: 1,
      passed: false,
      log: recorded("request-timeout.log"),
    });
    expect(rootCause(failing, { workers: 2, preload: false }, sizes)).toMatch(
      /^1 WORKER TIMEOUT during heavy \(2 workers × 112 MiB private \+ master 29 MiB = 253 MiB ≤ 256M\)\. analyze: `worker-timeout`/,
    );
  });

  it("explains OOM kills after a healthy boot by the scenario", () => {
    const hup = rootCause(
      cell({ scenario: "lifecycle", oomKills: 2, passed: false }),
      { workers: 2, preload: false },
      sizes,
    )!;
    expect(hup).toMatch(/^2 OOM kills during lifecycle: a HUP reload boots a new set of workers/);
    expect(hup).toContain("peak 200 MiB");
  });

  it("blames the collateral of the hog's OOM kill on the threads sharing its process", () => {
    const oom = cell({
      scenario: "oom",
      oomKills: 1,
      failedRequests: 1,
      passed: false,
      note: "master alive",
    });
    expect(rootCause(oom, { workers: 1, preload: false, threads: 4 }, sizes)).toBe(
      "the hog's OOM kill took 1 other request with it: they ran as threads in the worker the kernel killed (master alive).",
    );
  });

  it("quotes gwarden run's own diagnosis when the cell ran under it (a confirmed OOM kill beats analyze's suspicion)", () => {
    const log = [
      "[2026-11-27 07:00:00 +0000] [20] [ERROR] Worker (pid:21) was sent SIGKILL! Perhaps out of memory?",
      "gwarden: oom-confirmed: worker 21 was killed by the kernel's OOM killer (cgroup oom_kill 0 → 1); its last memory: rss 223 MiB, uss 200 MiB; cgroup usage 250 MiB of limit 256 MiB",
    ];
    const oom = cell({
      scenario: "oom",
      oomKills: 1,
      failedRequests: 1,
      passed: false,
      note: "master alive",
      log,
    });
    expect(rootCause(oom, { workers: 1, preload: false, threads: 4 }, sizes)).toMatch(
      /\(master alive\)\. gwarden run: `oom-confirmed` — worker 21 was killed by the kernel's OOM killer \(cgroup oom_kill 0 → 1\)$/,
    );
  });

  it("falls back to the failed requests, then the note", () => {
    expect(
      rootCause(
        cell({ failedRequests: 5, passed: false, note: "5 without response" }),
        { workers: 2, preload: false },
        sizes,
      ),
    ).toBe("5 of 1000 requests failed during heavy (5 without response).");
    expect(
      rootCause(
        cell({ scenario: "lifecycle", passed: false, note: "HUP: not back within 30 s" }),
        { workers: 2, preload: false },
        sizes,
      ),
    ).toBe("HUP: not back within 30 s.");
  });

  it("has nothing to say about passing or skipped cells", () => {
    expect(rootCause(cell(), { workers: 2, preload: false }, sizes)).toBeNull();
    expect(
      rootCause(cell({ skipped: true, passed: false }), { workers: 2, preload: false }, sizes),
    ).toBeNull();
  });
});
