import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../../src/core/analyze/analysis.js";
import { renderMarkdown } from "../../../../src/core/analyze/render-md.js";
import { renderText } from "../../../../src/core/analyze/render-text.js";
import { fixtureNames, readFixture } from "./fixture-files.js";

const H = (s: number, pid: number): string =>
  `[2024-01-01 12:00:${String(s).padStart(2, "0")} +0000] [${pid}] `;

describe("analysis", () => {
  it("gives every finding a kebab-case code, a severity, evidence that points at lines, and a fix", () => {
    for (const name of fixtureNames()) {
      const report = analyzeText(readFixture(name));
      for (const f of report.findings) {
        expect(f.code).toMatch(/^[a-z]+(-[a-z]+)*$/);
        expect(["critical", "warning", "info"]).toContain(f.severity);
        expect(f.fix.length).toBeGreaterThan(20);
        expect(f.evidence.events.length).toBeGreaterThan(0);
        for (const i of f.evidence.events) expect(report.events[i], `${name} ${f.code}`).toBeDefined();
        expect(f.evidence.lines[0]).toBe(report.events[f.evidence.events[0]!]!.line);
      }
    }
  });

  it("calls a SIGKILL that the master's halt follows a shutdown kill even without the TERM line", () => {
    const text = [
      `${H(0, 1)}[INFO] Starting gunicorn 23.0.0`,
      `${H(0, 2)}[INFO] Booting worker with pid: 2`,
      `${H(40, 1)}[ERROR] Worker (pid:2) was sent SIGKILL! Perhaps out of memory?`,
      `${H(40, 1)}[INFO] Shutting down: Master`,
    ].join("\n");
    const report = analyzeText(text);
    expect(report.events[2]).toMatchObject({ kind: "worker_signal", cause: "shutdown" });
    expect(report.findings.map((f) => f.code)).toEqual(["shutdown-kill"]);
    expect(report.aggregates.causes).toEqual({ shutdown: 1 });
  });

  it("keeps a replaced OOM kill an OOM even if the master halts later", () => {
    const text = [
      `${H(0, 1)}[INFO] Starting gunicorn 23.0.0`,
      `${H(0, 2)}[INFO] Booting worker with pid: 2`,
      `${H(40, 1)}[ERROR] Worker (pid:2) was sent SIGKILL! Perhaps out of memory?`,
      `${H(41, 3)}[INFO] Booting worker with pid: 3`,
      `${H(50, 1)}[INFO] Shutting down: Master`,
    ].join("\n");
    expect(analyzeText(text).events[2]).toMatchObject({ cause: "oom-suspected" });
  });

  it("detects newest-first logs and puts them back in order", () => {
    const report = analyzeText(readFixture("handwritten/newest-first.log"));
    expect(report.order).toBe("newest-first");
    expect(report.events[0]?.kind).toBe("start");
    expect(report.notes.join(" ")).toContain("newest-first");
  });

  it("detects newest-first logs without timestamps from each worker's story", () => {
    const text = [
      "Shutting down: Master",
      "Worker exiting (pid: 12)",
      "Worker exiting (pid: 11)",
      "Handling signal: term",
      "Booting worker with pid: 12",
      "Booting worker with pid: 11",
      "Starting gunicorn 23.0.0",
    ].join("\n");
    const report = analyzeText(text);
    expect(report.order).toBe("newest-first");
    expect(report.events.map((e) => e.kind)).toEqual([
      "start",
      "worker_boot",
      "worker_boot",
      "master_signal",
      "worker_exit",
      "worker_exit",
      "halt",
    ]);
  });

  it("bounds the kept events, keeping the head and the tail, and says so", () => {
    const lines = [`${H(0, 1)}[INFO] Starting gunicorn 23.0.0`];
    for (let pid = 10; pid < 1010; pid++)
      lines.push(
        `${H(1, pid)}[INFO] Booting worker with pid: ${pid}`,
        `${H(1, pid)}[INFO] Worker exiting (pid: ${pid})`,
      );
    const report = analyzeText(lines.join("\n"), { maxEvents: 100 });
    expect(report.events).toHaveLength(100);
    expect(report.droppedEvents).toBe(1901);
    expect(report.aggregates.counts["worker_boot"]).toBe(1000);
    expect(report.events[0]?.kind).toBe("start");
    expect(report.events[99]).toMatchObject({ kind: "worker_exit", pid: 1009 });
    expect(report.notes.join(" ")).toContain("left out");
  });

  it("keeps interleaved gunicorns apart (docker compose)", () => {
    const report = analyzeText(readFixture("handwritten/prefix-docker-compose.log"));
    expect(report.findings.map((f) => f.code)).not.toContain("silent-worker-death");
    expect(new Set(report.events.map((e) => e.service))).toEqual(new Set(["web-1", "worker-1"]));
  });

  it("renders text and markdown with findings, timeline and aggregates", () => {
    const report = analyzeText(readFixture("20.1.0/slow-import.log"));
    const text = renderText(report);
    expect(text).toContain("gunicorn 20.1.0: 20 events, 2 findings");
    expect(text).toContain("CRITICAL boot-timeout-loop");
    expect(text).toMatch(/04:13:27 +\[9603\] +WORKER TIMEOUT/);
    const md = renderMarkdown(report);
    expect(md).toContain("### critical: `boot-timeout-loop`");
    expect(md).toContain("| worker_timeout | 5 |");
  });

  it("says when there is nothing to analyze", () => {
    const report = analyzeText("hello\nworld\n");
    expect(report).toMatchObject({ gunicornVersion: null, events: [], findings: [], order: "unknown" });
    expect(report.notes).toEqual(["No gunicorn lifecycle lines were found."]);
  });
});
