/**
 * `gwarden analyze FILE... [-] [--json] [--format text|md]`: reads existing gunicorn logs (files, or stdin
 * with `-`) line by line as streams, and reports lifecycle events, a timeline and findings with evidence
 * and fixes. A report, so it exits 0 even with findings; only unreadable input is an error (E_IO).
 */
import { createAnalysis, type Analysis } from "../core/analyze/analysis.js";
import { renderMarkdown } from "../core/analyze/render-md.js";
import { renderText } from "../core/analyze/render-text.js";
import { defineVerb } from "../core/cli/verb.js";
import { createLogParser } from "../core/log/log-parser.js";
import { readLogLines } from "../adapters/analyze/log-lines.js";

/** Streams one input's lines through a fresh parser into the shared analysis; returns its line count. */
async function feed(name: string, analysis: Analysis): Promise<number> {
  const parser = createLogParser();
  const count = await readLogLines(name, (line) => {
    for (const parsed of parser.feed(line)) analysis.add(parsed);
  });
  for (const parsed of parser.end()) analysis.add(parsed);
  analysis.version(parser.version());
  return count;
}

export default defineVerb({
  name: "analyze",
  summary:
    "Read gunicorn logs (19.x–26.x, any common prefix) and explain what happened: events, timeline, findings with fixes",
  operands: { usage: "FILE...", min: 1, description: "gunicorn logs to read; `-` reads stdin" },
  flags: {
    json: {
      type: "boolean",
      description: "Print one JSON document { gunicornVersion, events, findings, ... }",
    },
    format: { type: "enum", choices: ["text", "md"], default: "text", description: "The report's format" },
  },
  notes: ["A report: it exits 0 even when it finds problems; only a log it cannot read is an error."],
  examples: [
    { command: "gwarden analyze /var/log/gunicorn/error.log" },
    { command: "journalctl -u myapp | gwarden analyze -", comment: "stdin" },
    { command: "gwarden analyze app.log --json", comment: "{ gunicornVersion, events, findings }" },
    { command: "gwarden analyze app.log --format md", comment: "a markdown report for an issue tracker" },
  ],
  async run({ args, operands }) {
    const analysis = createAnalysis();
    const inputs: Array<{ name: string; lines: number }> = [];
    for (const name of operands) inputs.push({ name, lines: await feed(name, analysis) });
    const report = analysis.finish();
    if (args.json) process.stdout.write(`${JSON.stringify({ ...report, inputs })}\n`);
    else process.stdout.write(args.format === "md" ? renderMarkdown(report) : renderText(report));
  },
});
