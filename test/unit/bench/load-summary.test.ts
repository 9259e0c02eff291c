import { describe, expect, it } from "vitest";
import { quantile, summarizeLoad } from "../../../bench/harness/load-summary.js";

describe("summarizeLoad", () => {
  it("counts non-2xx and missing responses as failed and keeps latencies of successes only", () => {
    const s = summarizeLoad(
      [
        { status: 200, ms: 5 },
        { status: 200, ms: 15 },
        { status: 503, ms: 1 },
        { status: null, ms: 2, error: "socket hang up" },
        { status: 302, ms: 10 },
      ],
      2,
    );
    expect(s).toMatchObject({ requests: 5, ok: 3, failed: 2, rps: 1.5, p50Ms: 10, maxMs: 15 });
    expect(s.statuses).toEqual({ "200": 2, "302": 1, "503": 1 });
    expect(s.errors).toEqual({ "socket hang up": 1 });
  });

  it("has no latency figures when nothing succeeded", () => {
    expect(summarizeLoad([{ status: null, ms: 1, error: "ECONNREFUSED" }], 1)).toMatchObject({
      ok: 0,
      p99Ms: null,
      rps: 0,
    });
  });
});

describe("quantile", () => {
  it("uses the nearest rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(xs, 0.5)).toBe(50);
    expect(quantile(xs, 0.99)).toBe(99);
    expect(quantile(xs, 1)).toBe(100);
    expect(quantile([], 0.5)).toBeNull();
  });
});
