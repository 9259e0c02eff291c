/** The markdown report of `gwarden analyze --format md`, for issues and chat. */
import type { AnalysisReport } from "./analysis.js";
import { clock, describeEvent, timelineIndexes } from "./describe.js";

const TIMELINE_LIMIT = 200;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Renders a report as markdown. */
export function renderMarkdown(report: AnalysisReport): string {
  const out: string[] = [];
  out.push(
    `# gunicorn log analysis`,
    "",
    `Version: **${report.gunicornVersion ?? "unknown"}**, ${report.events.length} events.`,
  );
  for (const note of report.notes) out.push("", `> ${note}`);
  out.push("", "## Findings", "");
  if (report.findings.length === 0) out.push("None.");
  for (const f of report.findings) {
    out.push(`### ${f.severity}: \`${f.code}\``, "", f.message, "", `**Fix:** ${f.fix}`, "");
    if (f.evidence.lines.length > 0) out.push("```", ...f.evidence.lines, "```", "");
  }
  out.push("## Timeline", "", "| # | time | pid | event |", "|---|---|---|---|");
  const { shown, skipped } = timelineIndexes(report.events.length, TIMELINE_LIMIT);
  shown.forEach((i, n) => {
    if (skipped > 0 && n === TIMELINE_LIMIT / 2) out.push(`| … | | | ${skipped} events left out |`);
    const e = report.events[i]!;
    out.push(`| ${i} | ${clock(e.time).trim()} | ${e.pid ?? ""} | ${cell(describeEvent(e))} |`);
  });
  out.push("", "## Aggregates", "", "| kind | count |", "|---|---|");
  for (const [k, v] of Object.entries(report.aggregates.counts)) out.push(`| ${k} | ${v} |`);
  out.push("", `Most boots in one minute: ${report.aggregates.maxBootsPerMinute}.`);
  return `${out.join("\n")}\n`;
}
