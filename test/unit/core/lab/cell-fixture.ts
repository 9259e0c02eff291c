/** A CellResult with defaults, for the lab's unit tests. */
import type { CellResult } from "../../../../src/core/lab/types.js";

const MiB = 1024 * 1024;

/** A passing 256 MiB planned heavy cell, with `over` applied. */
export function cell(over: Partial<CellResult> = {}): CellResult {
  return {
    tierBytes: 256 * MiB,
    cpus: 1,
    config: "planned",
    configLabel: "2×1 sync",
    scenario: "heavy",
    workerTimeouts: 0,
    oomKills: 0,
    failedRequests: 0,
    requests: 1000,
    startupSeconds: 1.5,
    rps: 100,
    p50Ms: 10,
    p99Ms: 50,
    peakMemoryBytes: 200 * MiB,
    workerDeaths: 0,
    expectedWorkers: 2,
    concurrency: 8,
    passed: true,
    skipped: false,
    note: "",
    startedAt: 0,
    endedAt: 10,
    events: [],
    log: [],
    ...over,
  };
}
