import { describe, expect, it } from "vitest";
import { mergeRepeats, rpsRange } from "../../../../src/core/lab/repeats.js";
import { compareThroughput, rpsRatio, verdictOf } from "../../../../src/core/lab/compare.js";
import { tierLine } from "../../../../src/core/lab/progress.js";
import { wrkScript, luaString } from "../../../../src/adapters/load/load-wrk.js";
import { parseRequestFile, renderRequestFile } from "../../../../src/core/profile/request-spec.js";
import { cell } from "./cell-fixture.js";

const pass = (config: string, round: number, rps: number, over = {}) =>
  cell({ config, configLabel: config, round, rps, p99Ms: rps / 2, requests: rps * 8, ...over });

describe("--repeat", () => {
  it("merges the passes of a cell: median rps and latencies, summed counts, every pass's rps kept", () => {
    const [merged] = mergeRepeats([pass("planned", 1, 100), pass("planned", 2, 90), pass("planned", 3, 120)]);
    expect(merged).toMatchObject({
      rps: 100,
      p99Ms: 50,
      requests: 2480,
      rpsRuns: [100, 90, 120],
      passed: true,
    });
    expect(rpsRange(merged)).toEqual([90, 120]);
    const failedOnce = mergeRepeats([pass("planned", 1, 100), pass("planned", 2, 90, { passed: false })]);
    expect(failedOnce[0]!.passed).toBe(false);
  });

  it("calls a comparison host-bound when a sandbox got well under its quota while its processes waited", () => {
    const cells = mergeRepeats([
      pass("planned", 1, 40, { usedCpus: 0.3, waitCpus: 1.2 }),
      pass("grid-w3-t1", 1, 50, { usedCpus: 0.35, waitCpus: 1.4 }),
    ]);
    const [c] = compareThroughput(cells, [cells[0]!.tierBytes]);
    expect(c).toMatchObject({ verdict: "host-bound", cpuRange: [0.3, 0.35] });
    const quiet = mergeRepeats([
      pass("planned", 1, 98, { usedCpus: 0.99, waitCpus: 1.9 }),
      pass("grid-w3-t1", 1, 100, { usedCpus: 1, waitCpus: 2 }),
    ]);
    expect(compareThroughput(quiet, [quiet[0]!.tierBytes])[0]!.verdict).toBe("yes");
  });

  it("compares medians, with a spread from the lowest and highest passes, and decides within noise", () => {
    const cells = mergeRepeats([
      pass("default", 1, 80),
      pass("planned", 1, 93),
      pass("grid-w3-t1", 1, 100),
      pass("default", 2, 84),
      pass("planned", 2, 90),
      pass("grid-w3-t1", 2, 104),
      pass("default", 3, 82),
      pass("planned", 3, 96),
      pass("grid-w3-t1", 3, 98),
    ]);
    const [c] = compareThroughput(cells, [cells[0]!.tierBytes]);
    expect(c).toMatchObject({
      plannedRps: 93,
      ratio: 0.93,
      ratioSpread: [0.865, 0.98],
      verdict: "within noise",
    });
    expect(c!.versusDefault).toMatchObject({ rps: 82, passed: true, ratio: { value: 1.134 } });
    expect(verdictOf(rpsRatio(cells[1], cells[1]))).toBe("yes");
    expect(tierLine(cells, cells[0]!.tierBytes)).toBe(
      "256M: planned ÷ best passing grid layout (grid-w3-t1) 0.93 (0.86–0.98) within noise · planned ÷ default 1.13 (1.07–1.20)",
    );
  });
});

describe("requests beyond GET in the load", () => {
  it("writes wrk requests with method, headers and a body, escaped for Lua", () => {
    const script = wrkScript([
      { method: "GET", path: "/health", headers: [], body: null },
      {
        method: "POST",
        path: "/login",
        headers: [["Content-Type", "application/json"]],
        body: '{"p":"a\\"b"}\n',
      },
    ]);
    expect(script).toContain('wrk.format("GET", "/health", {  }, nil)');
    expect(script).toContain(
      'wrk.format("POST", "/login", { ["Content-Type"] = "application/json" }, "{\\"p\\":\\"a\\\\\\"b\\"}\\10")',
    );
    expect(luaString("é")).toBe('"\\195\\169"');
  });

  it("round-trips a request list through the .http format", () => {
    const requests = [
      { method: "GET", path: "/health", headers: [], body: null },
      {
        method: "POST",
        path: "/v3/auth/tokens",
        headers: [["Content-Type", "application/json"] as [string, string]],
        body: '{"a": 1}',
      },
    ];
    expect(parseRequestFile(renderRequestFile(requests), () => "", "list.http")).toEqual(requests);
  });
});
