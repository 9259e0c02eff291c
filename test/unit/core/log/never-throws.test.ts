/** The parser and the analyzer never throw, whatever the input (fast-check). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../../src/core/analyze/analysis.js";
import { renderMarkdown } from "../../../../src/core/analyze/render-md.js";
import { renderText } from "../../../../src/core/analyze/render-text.js";
import { createLogParser } from "../../../../src/core/log/log-parser.js";
import { parseLine } from "../../../../src/core/log/parse-line.js";

const fragments = [
  "[2024-01-01 12:00:00 +0000] [12] [INFO] ",
  "[2024-13-45 99:99:99 +9999] [x] [CRITICAL] ",
  "Booting worker with pid: ",
  "WORKER TIMEOUT (pid:",
  "Worker (pid:12) was sent ",
  "SIGKILL! Perhaps out of memory?",
  "code 134!",
  "exited with code ",
  "Handling signal: ",
  "Shutting down: Master",
  "Reason: ",
  "Exception in worker process",
  "Traceback (most recent call last):",
  "HaltServer: <HaltServer 'App failed to load.' 4>",
  "--- Logging error ---",
  "web-1  | ",
  "> ",
  "│ ",
  '{"log":"',
  "<134>1 ",
  "Mar 05 10:00:00 host gunicorn[1]: ",
  "2024-01-01T00:00:00.000Z stderr F ",
  "\u001b[31m",
  "\r",
  "99999999999999999999",
  "-1",
];
const line = fc.oneof(
  fc.string(),
  fc
    .array(fc.oneof(fc.constantFrom(...fragments), fc.string(), fc.nat().map(String)), { maxLength: 8 })
    .map((p) => p.join("")),
);

describe("never throws", () => {
  it("parseLine on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), line), (s) => {
        expect(Array.isArray(parseLine(s))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("the streaming parser on arbitrary lines", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const parser = createLogParser();
        for (const l of lines) parser.feed(l);
        parser.end();
      }),
      { numRuns: 500 },
    );
  });

  it("the analyzer and renderers on arbitrary logs", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const report = analyzeText(lines.join("\n"), { maxEvents: 20 });
        expect(typeof renderText(report)).toBe("string");
        expect(typeof renderMarkdown(report)).toBe("string");
        expect(() => JSON.stringify(report)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it("a 1 MB line", () => {
    expect(
      parseLine("x".repeat(1_000_000) + "[2024-01-01 12:00:00 +0000] [1] [INFO] Booting worker with pid: 1"),
    ).toBeDefined();
  });
});
