/** The log fixtures (real captures and hand-written variants) and a compact summary of a report. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../../helpers/gunicorns.js";
import type { AnalysisReport } from "../../../../src/core/analyze/analysis.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";

export const logsDir = join(repoRoot, "test", "fixtures", "logs");
export const expectedFile = join(logsDir, "expected.json");

/** `<dir>/<name>.log` of every fixture, sorted. */
export function fixtureNames(): string[] {
  const names: string[] = [];
  for (const dir of readdirSync(logsDir, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === "app") continue;
    for (const file of readdirSync(join(logsDir, dir.name)))
      if (file.endsWith(".log")) names.push(`${dir.name}/${file}`);
  }
  return names.sort();
}

export function readFixture(name: string): string {
  return readFileSync(join(logsDir, name), "utf8");
}

/** One event as a short, exact string: kind, pid and what matters for the kind. */
export function summarizeEvent(e: GunicornEvent): string {
  const head = `${e.kind} ${e.pid ?? "-"}`;
  switch (e.kind) {
    case "start":
      return `${head} ${e.version ?? "?"}`;
    case "worker_signal":
      return `${head} ${e.signal} ${e.cause}`;
    case "worker_exit_code":
      return `${head} ${e.code}`;
    case "master_signal":
      return `${head} ${e.signal}`;
    case "halt":
      return `${head} ${e.reason}${e.exitCode === undefined ? "" : ` ${e.exitCode}`}`;
    case "app_load_error":
    case "master_crash":
      return `${head} ${e.message}`;
    case "worker_boot_error":
      return `${head} ${e.message ?? ""}`.trimEnd();
    case "request_error":
      return `${head} ${e.path ?? e.message ?? ""}`.trimEnd();
    case "listening":
    case "worker_boot":
    case "worker_ready":
    case "worker_exit":
    case "worker_timeout":
    case "max_requests_restart":
    case "bind_error":
    case "logging_error":
    case "scale_up":
    case "scale_down":
    case "recycle":
    case "boot_deadline_kill":
    case "restart":
      return head;
  }
}

export interface FixtureExpectation {
  version: string | null;
  order: string;
  events: string[];
  findings: string[];
}

export function summarize(report: AnalysisReport): FixtureExpectation {
  return {
    version: report.gunicornVersion,
    order: report.order,
    events: report.events.map(summarizeEvent),
    findings: report.findings.map((f) => `${f.severity} ${f.code}`),
  };
}
