import { describe, expect, it } from "vitest";
import { renderTierTable } from "../../../bench/harness/tier-table.js";

const trial = (config: string, rps: number, startup: number | null, failed = 0) => ({
  config,
  workerTimeouts: 0,
  oomKills: config === "default" ? 12 : 0,
  failedRequests: failed,
  requests: 500,
  startupSeconds: startup,
  rps,
  p99Ms: 20,
});

describe("renderTierTable", () => {
  it("puts default and planned side by side with planned ÷ default ratios", () => {
    const text = renderTierTable([
      {
        tierBytes: 256 * 1048576,
        workers: { default: 3, planned: "1×4 gthread" },
        default: trial("default", 40, null, 480),
        planned: trial("planned", 400, 1.5),
      },
    ]);
    const lines = text.split("\n");
    expect(lines[2]).toBe("| 256 MiB | default | 3 | 0 | 12 | 480 / 500 | — | 40.0 | 20.0 |");
    expect(lines[3]).toBe("| 256 MiB | planned | 1×4 gthread | 0 | 0 | 0 / 500 | 1.50 | 400.0 | 20.0 |");
    expect(lines[4]).toBe("| 256 MiB | planned ÷ default | | | | | — | 10.00× | 1.00× |");
  });
});
