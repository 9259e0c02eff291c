import { describe, expect, it } from "vitest";
import { escapeHtml, inlineScript, jsonForScript } from "../../../../src/core/lab/html.js";
import { renderReport } from "../../../../src/core/lab/report.js";
import { mdCell, renderSummary } from "../../../../src/core/lab/summary.js";
import { compareThroughput } from "../../../../src/core/lab/compare.js";
import type { LabRunData } from "../../../../src/core/lab/types.js";
import { cell } from "./cell-fixture.js";

const MiB = 1024 * 1024;
const evil = `</script><img src=x onerror=alert(1)> | "pipe" & 'quote'`;

function data(): LabRunData {
  const config = (name: string, workers: number) => ({
    name,
    kind: (name.startsWith("grid") ? "grid" : name) as "grid",
    workers,
    threads: 1,
    preload: false,
    flags: [],
    label: `${workers}×1 sync`,
  });
  return {
    command: `gwarden lab -- gunicorn ${evil}`,
    startedAt: "2026-11-27T05:00:00.000Z",
    cpus: 1,
    quick: true,
    gunicornVersion: "20.1.0",
    sizes: {
      importSeconds: 1.3,
      masterBytes: 29 * MiB,
      workerPrivateBytes: 110 * MiB,
      preloadMasterBytes: null,
      preloadWorkerPrivateBytes: null,
    },
    instances: [
      { tierBytes: 256 * MiB, config: config("default", 3) },
      { tierBytes: 256 * MiB, config: config("planned", 2) },
      { tierBytes: 256 * MiB, config: config("grid-w2-t1", 2) },
    ],
    cells: [
      cell({
        config: "default",
        configLabel: "3×1 sync",
        scenario: "startup",
        oomKills: 9,
        passed: false,
        startupSeconds: null,
        rps: null,
        note: evil,
      }),
      cell({ config: "planned", scenario: "heavy", rps: 98 }),
      cell({ config: "grid-w2-t1", scenario: "heavy", rps: 100 }),
    ],
    traces: [
      {
        tierBytes: 256 * MiB,
        config: "default",
        configLabel: "3×1 sync",
        memory: [
          [0, 1],
          [1, 2],
        ],
        events: [[0.5, "worker_signal", 42]],
        marks: [[0, "startup"]],
      },
    ],
    notes: [evil],
    complete: false,
  };
}

describe("summary.md and report.html", () => {
  it("says a config never served instead of 0 failed of 0, and which cells send no load", () => {
    const run = data();
    run.cells = [
      cell({
        config: "default",
        scenario: "startup",
        requests: 0,
        concurrency: 0,
        passed: false,
        oomKills: 9,
      }),
      cell({ config: "default", scenario: "lifecycle", requests: 0, concurrency: 0, passed: false }),
      cell({ config: "planned", scenario: "startup", requests: 0, concurrency: 0 }),
      cell({ config: "planned", scenario: "heavy", requests: 1000, failedRequests: 2 }),
    ];
    const summary = renderSummary(run);
    expect(summary).not.toMatch(/\b0 of 0\b|0 \/ 0 \|/);
    expect(summary).toContain("| 256M | 0 / 9 / never served | ❌ 2 of 2 scenarios fail |");
    expect(summary).toContain("0 / 0 / 2 of 1000 (0.2 %)");
    expect(summary).toMatch(/\| startup \| FAIL \| 0 \| 9 \| no load \|/);
    const report = renderReport(run, { uplotJs: "", uplotCss: "" });
    expect(report).toContain("0 / 9 / never served; 2 of 2 scenarios fail");
    expect(report).not.toContain(" of 0");
    // load was sent and nothing at all came back: never served
    run.cells = [cell({ config: "default", scenario: "heavy", requests: 0, concurrency: 8, passed: false })];
    expect(renderSummary(run)).toContain("0 / 0 / never served");
  });

  it("escapes markdown table cells", () => {
    expect(mdCell("a | b\nc")).toBe("a \\| b c");
  });

  it("renders the seed-style tables, the comparison and the root causes", () => {
    const md = renderSummary(data());
    expect(md).toContain("## Failures per tier: default vs planned");
    expect(md).toContain(
      "| 256M | 0 / 9 / 0 of 1000 (0 %) | ❌ 1 of 1 scenarios fail | 0 / 0 / 0 of 1000 (0 %) | ✅ all scenarios pass |",
    );
    expect(md).toContain("| 256M | 2×1 sync | 98 | 2×1 sync | 100 | 0.98 | yes | — | — | — |");
    expect(md).toContain(
      "**256M default (3×1 sync), startup**: 3 workers × 110 MiB private + master 29 MiB = 359 MiB > 256M: OOM-kill loop during boot",
    );
    expect(md).toContain("**Partial results**");
    expect(md).toContain('&lt;/script>&lt;img src=x onerror=alert(1)> \\| "pipe" &');
    expect(md.replace(/```sh\n.*?\n```/s, "")).not.toContain("<img");
  });

  it("compares planned with the best passing grid cell", () => {
    expect(compareThroughput(data().cells, [256 * MiB])).toEqual([
      {
        tierBytes: 256 * MiB,
        plannedRps: 98,
        plannedRange: [98, 98],
        plannedPassed: true,
        best: { config: "grid-w2-t1", label: "2×1 sync", rps: 100, range: [100, 100] },
        ratio: 0.98,
        ratioSpread: [0.98, 0.98],
        withinFivePercent: true,
        verdict: "yes",
        cpuRange: null,
        versusDefault: null,
        runOff: null,
      },
    ]);
  });

  it("leaves out a grid layout that failed any of its scenarios, however fast its heavy cell", () => {
    const cells = data().cells;
    const heavy = cells.find((c) => c.config === "grid-w2-t1" && c.scenario === "heavy")!;
    const failedReload = { ...heavy, scenario: "lifecycle" as const, passed: false, rps: null };
    expect(compareThroughput([...cells, failedReload], [256 * MiB])[0]!.best).toBeNull();
  });

  it("escapes everything from the run in the report and inlines the assets safely", () => {
    const html = renderReport(data(), { uplotJs: "var uPlot = function(){}; '</script>'", uplotCss: ".u{}" });
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    const json = /<script type="application\/json" id="lab-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json).tiers).toEqual(["256M"]);
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it("has escapers that leave no raw markup", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(jsonForScript({ s: "</script>\u2028" })).toBe('{"s":"\\u003c/script\\u003e\\u2028"}');
    expect(inlineScript("a='</SCRIPT>'")).toBe("a='<\\/SCRIPT>'");
  });
});
