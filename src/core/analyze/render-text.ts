/** The terminal report of `gwarden analyze`: findings first, then the timeline and the aggregates. */
import type { AnalysisReport } from "./analysis.js";
import { clock, describeEvent, timelineIndexes } from "./describe.js";

const TIMELINE_LIMIT = 200;

/** Renders a report as plain text. */
export function renderText(report: AnalysisReport): string {
  const out: string[] = [];
  const { events, findings, aggregates } = report;
  out.push(
    `gunicorn ${report.gunicornVersion ?? "(version unknown)"}: ${events.length} events, ${findings.length} findings`,
  );
  for (const note of report.notes) out.push(`note: ${note}`);
  out.push("", "Findings");
  if (findings.length === 0) out.push("  none");
  for (const f of findings) {
    out.push(`  ${f.severity.toUpperCase()} ${f.code}: ${f.message}`);
    out.push(`    fix: ${f.fix}`);
    for (const line of f.evidence.lines.slice(0, 3)) out.push(`    | ${line}`);
    if (f.evidence.events.length > 3) out.push(`    | … ${f.evidence.events.length} events in all`);
  }
  out.push("", "Timeline");
  const { shown, skipped } = timelineIndexes(events.length, TIMELINE_LIMIT);
  shown.forEach((i, n) => {
    if (skipped > 0 && n === TIMELINE_LIMIT / 2) out.push(`  … ${skipped} events …`);
    const e = events[i]!;
    const who = e.pid === undefined ? "       " : `[${e.pid}]`.padEnd(8);
    out.push(
      `  ${String(i).padStart(4)}  ${clock(e.time)}  ${who} ${e.service ? `${e.service}: ` : ""}${describeEvent(e)}`,
    );
  });
  out.push("", "Aggregates");
  const counts = Object.entries(aggregates.counts).map(([k, v]) => `${k} ${v}`);
  out.push(`  events by kind: ${counts.join(", ") || "none"}`);
  const causes = Object.entries(aggregates.causes).map(([k, v]) => `${k} ${v}`);
  if (causes.length > 0) out.push(`  signal deaths by cause: ${causes.join(", ")}`);
  out.push(`  most boots in one minute: ${aggregates.maxBootsPerMinute}`);
  const lives = aggregates.lifetimes.filter((l) => l.seconds !== undefined);
  if (lives.length > 0) {
    const secs = lives.map((l) => l.seconds!);
    out.push(
      `  worker lifetimes: ${lives.length} ended, shortest ${Math.min(...secs)} s, longest ${Math.max(...secs)} s`,
    );
  }
  out.push(`  master at the end: ${report.final.master.phase}, ${report.final.workers.length} live workers`);
  return `${out.join("\n")}\n`;
}
