/**
 * `gwarden analyze FILE... [-] [--json] [--format text|md]`: reads existing gunicorn logs (files, or stdin
 * with `-`) line by line as streams, and reports lifecycle events, a timeline and findings with evidence
 * and fixes. A report, so it exits 0 even with findings; only unreadable input is an error (E_IO).
 */
import { defineCommand } from "citty";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createAnalysis, type Analysis } from "../core/analyze/analysis.js";
import { renderMarkdown } from "../core/analyze/render-md.js";
import { renderText } from "../core/analyze/render-text.js";
import { GwardenError } from "../core/error.js";
import { createLogParser } from "../core/log/log-parser.js";

interface Options {
  inputs: string[];
  json: boolean;
  format: "text" | "md";
}

function parseOptions(rawArgs: readonly string[]): Options {
  const inputs: string[] = [];
  let json = false;
  let format: Options["format"] = "text";
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--json") json = true;
    else if (arg === "--format" || arg.startsWith("--format=")) {
      const value = arg === "--format" ? rawArgs[++i] : arg.slice("--format=".length);
      if (value !== "text" && value !== "md")
        throw new GwardenError("E_USAGE", `Expected \`--format\` to be text or md, got \`${value ?? ""}\``);
      format = value;
    } else if (arg === "-" || !arg.startsWith("-")) inputs.push(arg);
    else
      throw new GwardenError("E_USAGE", `Unknown flag \`${arg}\` for analyze`, {
        hint: "gwarden analyze FILE... [-] [--json] [--format text|md]",
      });
  }
  if (inputs.length === 0)
    throw new GwardenError("E_USAGE", "Expected at least one log file (or `-` for stdin)", {
      hint: "gwarden analyze /var/log/gunicorn.log",
    });
  return { inputs, json, format };
}

async function openInput(name: string): Promise<Readable> {
  if (name === "-") return process.stdin;
  try {
    const info = await stat(name);
    if (info.isDirectory()) throw new GwardenError("E_IO", `Cannot read \`${name}\`: it is a directory`);
  } catch (error) {
    if (error instanceof GwardenError) throw error;
    throw new GwardenError(
      "E_IO",
      `Cannot read \`${name}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
  return createReadStream(name);
}

/** Streams one input's lines through a fresh parser into the shared analysis; returns its line count. */
async function feed(name: string, analysis: Analysis): Promise<number> {
  const stream = await openInput(name);
  const parser = createLogParser();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let count = 0;
  try {
    for await (const line of lines) {
      count++;
      for (const parsed of parser.feed(line)) analysis.add(parsed);
    }
  } catch (error) {
    throw new GwardenError(
      "E_IO",
      `Cannot read \`${name === "-" ? "stdin" : name}\`: ${(error as Error).message}`,
      { cause: error },
    );
  }
  for (const parsed of parser.end()) analysis.add(parsed);
  analysis.version(parser.version());
  return count;
}

export default defineCommand({
  meta: {
    name: "analyze",
    description:
      "Read gunicorn logs (19.x–26.x, any common prefix) and explain what happened: events, timeline, findings with fixes",
  },
  args: {
    files: { type: "positional", required: false, description: "Log files to read; `-` reads stdin" },
    json: {
      type: "boolean",
      description: "Print one JSON document { gunicornVersion, events, findings, ... }",
    },
    format: { type: "string", description: "text (default) or md" },
  },
  async run({ rawArgs }) {
    const options = parseOptions(rawArgs);
    const analysis = createAnalysis();
    const inputs: Array<{ name: string; lines: number }> = [];
    for (const name of options.inputs) inputs.push({ name, lines: await feed(name, analysis) });
    const report = analysis.finish();
    if (options.json) process.stdout.write(`${JSON.stringify({ ...report, inputs })}\n`);
    else process.stdout.write(options.format === "md" ? renderMarkdown(report) : renderText(report));
  },
});
