/**
 * SIGKILLs around a stop, on real captures (gunicorn 20.1.0, 23.0.0, 26.2.2 in a 150 MiB cgroup,
 * scripts/capture-gunicorn-logs.sh): an OOM kill during shutdown is not the stop's kill, a supervisor's
 * burst that kills every worker is, and the kernel's line confirms an OOM kill wherever it sits.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../../src/core/analyze/analysis.js";
import { logsDir } from "./fixture-files.js";

const read = (name: string) => readFileSync(join(logsDir, name), "utf8");
const kills = (text: string) =>
  analyzeText(text).events.flatMap((e) =>
    e.kind === "worker_signal" && e.signal === "SIGKILL" && e.detail !== "kernel OOM killer"
      ? [e.cause]
      : e.kind === "worker_signal" && e.signal === "SIGKILL"
        ? [`${e.cause} (kernel)`]
        : [],
  );
const codes = (text: string) => analyzeText(text).findings.map((f) => `${f.severity} ${f.code}`);

describe.each(["20.1.0", "23.0.0", "26.2.2"])("gunicorn %s", (version) => {
  const log = read(`${version}/oom-during-shutdown.log`);
  const kernel = read(`${version}/oom-during-shutdown.kernel.txt`);

  it("a worker killed within a second of TERM while the other exits normally is no shutdown kill", () => {
    expect(kills(log)).toEqual(["oom-suspected"]);
    expect(codes(log)).toEqual(["warning oom-suspected"]);
    const finding = analyzeText(log).findings[0]!;
    expect(finding.message).toMatch(/while the service stopped/);
    expect(finding.fix).toMatch(/headroom for the stop/);
  });

  it("the kernel's OOM line confirms it, after the log (analyze app.log kern.log) or merged before it", () => {
    expect(codes(`${log}\n${kernel}`)).toEqual(["critical oom-confirmed"]);
    expect(kills(`${log}\n${kernel}`)).toEqual(["oom-confirmed", "oom-confirmed (kernel)"]);
    const lines = log.trimEnd().split("\n");
    const at = lines.findIndex((l) => /SIGKILL|signal 9/.test(l));
    const merged = [...lines.slice(0, at), kernel.trimEnd(), ...lines.slice(at)].join("\n");
    expect(codes(merged)).toEqual(["critical oom-confirmed"]);
  });

  it("a supervisor's kill of every worker right after TERM is the stop's kill, whatever gunicorn hints", () => {
    const burst = read(`${version}/stop-kill-burst.log`);
    expect(burst).toMatch(/Perhaps out of memory\?|signal 9/);
    expect(kills(burst)).toEqual(["shutdown", "shutdown", "shutdown"]);
    expect(codes(burst)).toEqual(["info shutdown-kill"]);
  });
});

describe("a service manager's stop", () => {
  it("makes SIGTERM deaths right after systemd's `Stopping` line shutdown, not retirement artifacts", () => {
    const text = read("handwritten/systemd-stop-sigterm.log");
    const report = analyzeText(text);
    const deaths = report.events.flatMap((e) =>
      e.kind === "worker_signal" ? [`${e.pid} ${e.signal} ${e.cause}`] : [],
    );
    expect(deaths).toEqual(["602 SIGKILL oom-suspected", "603 SIGTERM shutdown", "601 SIGTERM shutdown"]);
    expect(report.findings.map((f) => f.code)).not.toContain("sigterm-artifact");
  });

  it("does not stop this gunicorn when another unit stops: its OOM kill, replaced, stays one", () => {
    expect(kills(read("handwritten/journal-other-unit-stop.log"))).toEqual(["oom-suspected"]);
  });

  it("makes a SIGTERM death logged just before the master's TERM part of the stop", () => {
    const text = [
      "[2026-01-01 10:00:00 +0000] [10] [INFO] Starting gunicorn 23.0.0",
      "[2026-01-01 10:00:00 +0000] [11] [INFO] Booting worker with pid: 11",
      "[2026-01-01 10:00:00 +0000] [12] [INFO] Booting worker with pid: 12",
      "[2026-01-01 10:09:59 +0000] [10] [ERROR] Worker (pid:12) was sent SIGTERM!",
      "[2026-01-01 10:10:00 +0000] [10] [INFO] Handling signal: term",
      "[2026-01-01 10:10:00 +0000] [11] [INFO] Worker exiting (pid: 11)",
      "[2026-01-01 10:10:00 +0000] [10] [INFO] Shutting down: Master",
    ].join("\n");
    const death = analyzeText(text).events.find((e) => e.kind === "worker_signal");
    expect(death).toMatchObject({ pid: 12, cause: "shutdown" });
  });
});
