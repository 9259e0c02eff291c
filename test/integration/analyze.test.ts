/**
 * End to end: `node dist/cli.js analyze` on the captured fixtures, on stdin, on several files, on a
 * log of a million lines under a small heap (bounded memory), and on unreadable input.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/gunicorns.js";
import {
  expectedFile,
  fixtureNames,
  logsDir,
  type FixtureExpectation,
} from "../unit/core/analyze/fixture-files.js";

const cli = join(repoRoot, "dist", "cli.js");
const expected = JSON.parse(readFileSync(expectedFile, "utf8")) as Record<string, FixtureExpectation>;
let scratch = "";

function analyze(
  args: string[],
  input?: string,
  nodeArgs: string[] = [],
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, cli, "analyze", ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json", "--noEmitOnError", "false"], {
      cwd: repoRoot,
      stdio: "ignore",
    });
  } catch {
    // Other modules may have type errors; the build still emits.
  }
  expect(existsSync(cli)).toBe(true);
  scratch = mkdtempSync(join(tmpdir(), "gwarden-analyze-"));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("gwarden analyze", () => {
  it("prints one JSON document with the expected findings for every real capture", () => {
    for (const name of fixtureNames().filter((n) => !n.startsWith("handwritten/"))) {
      const r = analyze(["--json", join(logsDir, name)]);
      expect(r.status, name).toBe(0);
      const report = JSON.parse(r.stdout) as {
        gunicornVersion: string;
        events: unknown[];
        findings: Array<{ code: string; severity: string; evidence: unknown; fix: string }>;
      };
      expect(report.gunicornVersion, name).toBe(expected[name]!.version);
      expect(report.events.length, name).toBe(expected[name]!.events.length);
      expect(
        report.findings.map((f) => `${f.severity} ${f.code}`),
        name,
      ).toEqual(expected[name]!.findings);
      for (const f of report.findings) expect(f.fix.length).toBeGreaterThan(10);
    }
  });

  it("reads stdin with `-` exactly like a file", () => {
    const file = join(logsDir, "20.1.0/slow-import.log");
    const fromFile = analyze(["--json", file]).stdout;
    const fromStdin = analyze(["-", "--json"], readFileSync(file, "utf8")).stdout;
    const strip = (s: string): unknown => ({ ...(JSON.parse(s) as object), inputs: null });
    expect(strip(fromStdin)).toEqual(strip(fromFile));
  });

  it("reads several files into one report, and renders text and markdown", () => {
    const a = join(logsDir, "23.0.0/bind-error.log");
    const b = join(logsDir, "26.2.2/oom-boot-loop.log");
    const json = JSON.parse(analyze([a, b, "--json"]).stdout) as {
      findings: Array<{ code: string }>;
      inputs: Array<{ name: string }>;
    };
    expect(json.inputs.map((i) => i.name)).toEqual([a, b]);
    expect(json.findings.map((f) => f.code)).toEqual(expect.arrayContaining(["bind-error", "oom-kill-loop"]));
    const text = analyze([b]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("CRITICAL oom-kill-loop");
    expect(text.stdout).toContain("Timeline");
    const md = analyze(["--format", "md", b]);
    expect(md.stdout).toContain("### critical: `oom-kill-loop`");
    expect(md.stdout).toContain("| # | time | pid | event |");
  });

  it("fails with E_IO naming the file only for unreadable input", () => {
    const missing = join(scratch, "nope.log");
    const r = analyze([missing]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Cannot read \`${missing}\``);
    expect(analyze([scratch]).stderr).toContain("is a directory");
    expect(analyze(["--format", "pdf", missing]).status).toBe(2);
  });

  it("streams a million-line log with bounded memory (96 MB heap)", () => {
    const file = join(scratch, "big.log");
    const chunk: string[] = [];
    chunk.push("[2024-01-01 00:00:00 +0000] [1] [INFO] Starting gunicorn 23.0.0");
    for (let i = 0; i < 250_000; i++) {
      const pid = 1000 + i;
      const t = `2024-01-01 ${String(Math.floor(i / 3600) % 24).padStart(2, "0")}:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}`;
      chunk.push(`[${t} +0000] [${pid}] [INFO] Booting worker with pid: ${pid}`);
      chunk.push(
        `127.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"`,
      );
      chunk.push(`[${t} +0000] [${pid}] [INFO] Autorestarting worker after current request.`);
      chunk.push(`[${t} +0000] [${pid}] [INFO] Worker exiting (pid: ${pid})`);
    }
    writeFileSync(file, `${chunk.join("\n")}\n`);
    const r = analyze(["--json", file], undefined, ["--max-old-space-size=96"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      droppedEvents: number;
      aggregates: { counts: Record<string, number> };
      notes: string[];
    };
    expect(report.aggregates.counts["worker_boot"]).toBe(250_000);
    expect(report.droppedEvents).toBeGreaterThan(600_000);
    expect(report.notes.join(" ")).toContain("left out");
  });
});
