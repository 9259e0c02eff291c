/**
 * Issue 7's CI proof: `gwarden lab --quick` on the example app made SimpleLogin-sized (72 MiB of
 * ballast: ~110 MiB private per worker) at 256 MiB and 512 MiB with 1 CPU, through the built CLI. The
 * CSV has the columns of DESIGN.md and one row per (tier, config, scenario); gwarden's plan has zero
 * worker timeouts, OOM kills and failed requests at every tier; gunicorn's common default fails at
 * 256 MiB (3 workers do not fit), and the summary names that root cause with its arithmetic.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSV_COLUMNS } from "../../src/core/lab/csv.js";
import { exampleDir, repoRoot } from "../helpers/gunicorns.js";

const MiB = 1024 * 1024;
/** The SimpleLogin-sized example app, last on every lab command line. */
const APP = ["--env", "EXAMPLE_BALLAST_MB=72", "--", "gunicorn", "--chdir", exampleDir, "app:app"];
const work = mkdtempSync(join(tmpdir(), "gwarden-lab-"));
const out = join(work, "out");
let rows: Array<Record<string, string>>;
let stdout = "";
let stderr = "";

/** A small RFC 4180 reader (quoted fields with commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => {
      const fields: string[] = [];
      let field = "";
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i]!;
        if (quoted && c === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = !quoted;
        else if (c === "," && !quoted) {
          fields.push(field);
          field = "";
        } else field += c;
      }
      fields.push(field);
      return fields;
    });
}

/** Groups a lab process left behind: their names carry the creating process's pid (other runs may be live). */
function gwardenCgroupsLeft(pid: number | undefined): string[] {
  if (pid === undefined || !existsSync("/sys/fs/cgroup/memory")) return [];
  return readdirSync("/sys/fs/cgroup/memory").filter(
    (d) => d.startsWith("gwarden-lab-") && d.includes(`-${pid}-`),
  );
}

beforeAll(async () => {
  const run = await lab(["--quick", "--out", out, "--url", "/health", "--url", "/db", ...APP], {
    GWARDEN_EXAMPLE_DB: join(work, "app.sqlite"),
  });
  ({ stdout, stderr } = run);
  const labPid = run.pid;
  const [header, ...lines] = parseCsv(readFileSync(join(out, "matrix.csv"), "utf8"));
  rows = lines.map((fields) => Object.fromEntries(header!.map((h, i) => [h, fields[i] ?? ""])));
  expect(gwardenCgroupsLeft(labPid)).toEqual([]);
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the built CLI's lab; resolves with its stdout, stderr and pid. */
function lab(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; pid: number | undefined }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(repoRoot, "dist/cli.js"), "lab", ...args],
      { env: { ...process.env, ...env }, timeout: 230_000, maxBuffer: 16 * MiB },
      (error, out_, err) => {
        if (error) reject(new Error(`lab failed: ${error.message}\n${err.slice(-3000)}`));
        else resolve({ stdout: out_, stderr: err, pid: child.pid });
      },
    );
  });
}

const row = (tier: number, config: string, scenario: string) =>
  rows.find((r) => r.tier_bytes === String(tier * MiB) && r.config === config && r.scenario === scenario);

describe("gwarden lab --quick on a SimpleLogin-sized app", () => {
  it("writes the CSV with DESIGN.md's columns first and one row per (tier, config, scenario)", () => {
    const header = readFileSync(join(out, "matrix.csv"), "utf8").split("\n")[0]!.split(",");
    expect(header.slice(0, CSV_COLUMNS.length)).toEqual([...CSV_COLUMNS]);
    const keys = rows.map((r) => `${r.tier_bytes}/${r.config}/${r.scenario}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows).toHaveLength(2 * 2 * 4);
    for (const tier of [256, 512])
      for (const config of ["default", "planned"])
        for (const s of ["startup", "health", "light", "heavy"])
          expect(row(tier, config, s), `${tier} ${config} ${s}`).toBeDefined();
    for (const r of rows) {
      for (const column of ["worker_timeouts", "oom_kills", "failed_requests", "requests"])
        expect(r[column], column).toMatch(/^\d+$/);
      expect(r.peak_memory_bytes).toMatch(/^\d+$/);
    }
  });

  it("has zero timeouts, OOM kills and failed requests for the planned config at every tier", () => {
    for (const r of rows.filter((r) => r.config === "planned")) {
      expect({
        scenario: r.scenario,
        tier: r.tier_bytes,
        t: r.worker_timeouts,
        o: r.oom_kills,
        f: r.failed_requests,
        passed: r.passed,
      }).toEqual({
        scenario: r.scenario,
        tier: r.tier_bytes,
        t: "0",
        o: "0",
        f: "0",
        passed: "true",
      });
    }
    expect(Number(row(256, "planned", "startup")!.startup_seconds)).toBeGreaterThan(0);
    expect(Number(row(256, "planned", "heavy")!.rps)).toBeGreaterThan(0);
  });

  it("sees the common default fail at 256 MiB, and names the root cause with the arithmetic", () => {
    const defaults = rows.filter((r) => r.config === "default" && r.tier_bytes === String(256 * MiB));
    expect(defaults.reduce((n, r) => n + Number(r.oom_kills), 0)).toBeGreaterThan(0);
    expect(row(256, "default", "startup")!.passed).toBe("false");
    const summary = readFileSync(join(out, "summary.md"), "utf8");
    expect(summary).toMatch(
      /256M default \(3×1 sync\), startup\*\*: 3 workers × [\d.]+ MiB private \+ master [\d.]+ MiB = [\d.]+ MiB > 256M: OOM-kill loop during boot/,
    );
    expect(stdout).toContain("## Failures per tier: default vs planned");
    expect(stderr).toMatch(/\[1\/4\] 256M default/);
  });

  it("writes a self-contained report with uPlot and the data inlined", () => {
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain('id="lab-data"');
    expect(html).toContain("uPlot");
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});

describe("gwarden lab --db-on-box", () => {
  const dbOut = join(work, "out-db");
  let dbRows: Array<Record<string, string>> = [];
  let results: { cells: { config: string; scenario: string; log: string[] }[] };
  let pgDirsBefore: string[] = [];
  const pgDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith("gwarden-pg-"));

  beforeAll(async () => {
    pgDirsBefore = pgDirs();
    // The first run's profile: no second profiling.
    const run = await lab(
      [
        "--db-on-box",
        "--quick",
        "--tiers",
        "256M",
        "--configs",
        "planned",
        "--scenarios",
        "startup,light",
        "--profile",
        join(out, "profile.json"),
        "--out",
        dbOut,
        "--url",
        "/db",
        ...APP,
      ],
      {},
    );
    const [header, ...lines] = parseCsv(readFileSync(join(dbOut, "matrix.csv"), "utf8"));
    dbRows = lines.map((fields) => Object.fromEntries(header!.map((h, i) => [h, fields[i] ?? ""])));
    results = JSON.parse(readFileSync(join(dbOut, "results.json"), "utf8")) as typeof results;
    expect(gwardenCgroupsLeft(run.pid)).toEqual([]);
  }, 240_000);

  it("serves /db from a PostgreSQL of its own inside the 256 MiB limit, planned by gwarden run, with no failure", () => {
    expect(dbRows.map((r) => [r.scenario, r.passed, r.failed_requests, r.oom_kills])).toEqual([
      ["startup", "true", "0", "0"],
      ["light", "true", "0", "0"],
    ]);
    expect(Number(dbRows.find((r) => r.scenario === "light")!.requests)).toBeGreaterThan(0);
    const log = results.cells.find((c) => c.scenario === "startup")!.log.join("\n");
    expect(log).toMatch(
      /gwarden: plan: .*for 256 MiB \(limit \(cgroup-v1\)\).*PostgreSQL on the box: \d+ MiB planned/,
    );
    expect(existsSync(join(dbOut, "gwarden-run", "256M-planned.jsonl"))).toBe(true);
  });

  it("leaves no PostgreSQL data directory behind", () => {
    expect(pgDirs().filter((d) => !pgDirsBefore.includes(d))).toEqual([]);
  });
});
