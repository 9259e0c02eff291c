/** The doctor report for people. */
import type { DoctorReport } from "./types.js";
import { formatBytes } from "../size.js";

const MARK = { error: "✗", warning: "!", info: "i" } as const;

/** Box, gunicorn, effective config, then one block per finding. */
export function renderDoctor(report: DoctorReport): string {
  const b = report.box;
  const c = report.config;
  const lines = [
    `box       memory ${b.memoryLimitBytes === null ? `no limit (host ${formatBytes(b.hostTotalBytes)})` : formatBytes(b.memoryLimitBytes)}, ${b.cpus} CPU(s), swap ${formatBytes(b.swapBytes)}, cgroup ${b.cgroupVersion}${b.inContainer ? ", in a container" : ""}`,
    `gunicorn  ${report.gunicorn.version === null ? "not found" : `${report.gunicorn.version}${report.gunicorn.path ? ` (${report.gunicorn.path})` : ""}`}`,
    `config    file ${c.file ?? "none"}; GUNICORN_CMD_ARGS ${c.gunicornCmdArgs === null ? "unset" : `"${c.gunicornCmdArgs}"`}; WEB_CONCURRENCY ${c.webConcurrency ?? "unset"}${c.argv.length > 0 ? `; command ${c.argv.join(" ")}` : ""}`,
    `effective ${Object.entries(c.effective)
      .map(([k, v]) => `${k}=${v.value}${v.source === "default" ? "" : ` (${v.source})`}`)
      .join(", ")}`,
    `heartbeat ${c.heartbeat.dir} on ${c.heartbeat.fsType ?? "unknown fs"}`,
    "",
  ];
  if (report.findings.length === 0) lines.push("No findings: nothing here is known to fail.");
  for (const f of report.findings) {
    lines.push(`${MARK[f.severity]} ${f.code} (${f.severity}): ${f.message}`);
    for (const e of f.evidence) lines.push(`    evidence: ${e}`);
    lines.push(`    fix: ${f.fix}`, "");
  }
  lines.push("Each code is explained in docs/troubleshooting.md.");
  return `${lines.join("\n")}\n`;
}
