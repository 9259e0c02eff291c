/**
 * Every log fixture (real captures from gunicorn 20.1.0, 23.0.0 and 26.2.2, and hand-written variants for
 * other versions' wording and every prefix) gives exactly the events and findings of expected.json.
 * Regenerate after a deliberate change with GWARDEN_UPDATE_FIXTURES=1 and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../../../src/core/analyze/analysis.js";
import {
  expectedFile,
  fixtureNames,
  readFixture,
  summarize,
  type FixtureExpectation,
} from "./fixture-files.js";

const update = process.env["GWARDEN_UPDATE_FIXTURES"] === "1";
const expected: Record<string, FixtureExpectation> = existsSync(expectedFile)
  ? JSON.parse(readFileSync(expectedFile, "utf8"))
  : {};

describe("log fixtures", () => {
  const names = fixtureNames();
  if (update) {
    it("writes expected.json", () => {
      const all: Record<string, FixtureExpectation> = {};
      for (const name of names) all[name] = summarize(analyzeText(readFixture(name)));
      writeFileSync(expectedFile, `${JSON.stringify(all, null, 1)}\n`);
    });
    return;
  }
  it("has every scenario captured from every real release", () => {
    const scenarios = [
      "app-load-error",
      "bind-error",
      "forced-shutdown",
      "graceful-shutdown",
      "hung-import",
      "hup",
      "max-requests",
      "normal-boot",
      "oom-boot-loop",
      "oom-during-shutdown",
      "oom-kill",
      "request-timeout",
      "slow-import",
      "stop-kill-burst",
      "ttin-ttou",
      "worker-boot-error",
    ];
    for (const version of ["20.1.0", "23.0.0", "26.2.2"]) {
      expect(names.filter((n) => n.startsWith(`${version}/`))).toEqual(
        scenarios.map((s) => `${version}/${s}.log`),
      );
    }
  });

  it("has an expectation for every fixture", () => {
    expect(Object.keys(expected).sort()).toEqual(names);
  });
  for (const name of names) {
    it(name, () => {
      expect(summarize(analyzeText(readFixture(name)))).toEqual(expected[name]);
    });
  }
});
