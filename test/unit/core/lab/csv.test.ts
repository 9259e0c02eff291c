import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, csvField, renderCsv } from "../../../../src/core/lab/csv.js";
import { cell } from "./cell-fixture.js";

describe("matrix.csv", () => {
  it("starts with exactly the columns of DESIGN.md, in order, then the extras", () => {
    const header = renderCsv([]).split("\n")[0]!;
    expect(
      header.startsWith(
        "tier_bytes,config,scenario,worker_timeouts,oom_kills,failed_requests,requests,startup_seconds,rps,p50_ms,p99_ms,peak_memory_bytes,",
      ),
    ).toBe(true);
    expect(CSV_COLUMNS).toHaveLength(12);
    expect(header.split(",").slice(12)).toEqual([
      "cpus",
      "config_label",
      "expected_workers",
      "concurrency",
      "worker_deaths",
      "passed",
      "skipped",
      "note",
      "rps_runs",
      "passes",
      "cpu_used",
      "cpu_wait",
    ]);
  });

  it("writes one line per cell, unknown figures empty", () => {
    const text = renderCsv([
      cell(),
      cell({ scenario: "startup", rps: null, p50Ms: null, p99Ms: null, startupSeconds: null, requests: 0 }),
    ]);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      "268435456,planned,heavy,0,0,0,1000,1.5,100,10,50,209715200,1,2×1 sync,2,8,0,true,false,,,1,,",
    );
    expect(lines[2]!.split(",").slice(7, 11)).toEqual(["", "", "", ""]);
  });

  it("ends a merged --repeat row with every pass's requests/s and the count of passes", () => {
    const line = renderCsv([
      cell({ rps: 100, rpsRuns: [96.5, 100, 104], usedCpus: 0.98, waitCpus: 1.9 }),
    ]).split("\n")[1]!;
    expect(line.endsWith(",96.5;100;104,3,0.98,1.9")).toBe(true);
  });

  it("quotes commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvField('a,b "c"\nd')).toBe('"a,b ""c""\nd"');
    expect(csvField(null)).toBe("");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvField(false)).toBe("false");
    const line = renderCsv([cell({ note: 'HUP: 2 new workers, "ok"' })]).split("\n")[1]!;
    expect(line.endsWith(',"HUP: 2 new workers, ""ok""",,1,,')).toBe(true);
  });

  it("leaves the counters of a skipped cell empty", () => {
    const line = renderCsv([cell({ scenario: "oom", skipped: true, note: "skipped: no --hog-url" })])
      .split("\n")[1]!
      .split(",");
    expect(line.slice(3, 7)).toEqual(["", "", "", ""]);
    expect(line.at(-6)).toBe("true");
  });
});
