/**
 * `gwarden plan` end to end: the emitted gunicorn.conf.py passes `gunicorn --check-config` on every
 * supported release, and bad input fails with a clear message and a non-zero exit.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gunicornReleases, repoRoot } from "../helpers/gunicorns.js";
import { appIdentity } from "../../src/core/profile/app-identity.js";

const cli = join(repoRoot, "dist/cli.js");
const wsgiDir = join(repoRoot, "test/fixtures/wsgi");
const fixtureProfile = join(repoRoot, "test/fixtures/plan/profile-plan-app.json");
let work: string;

function gwarden(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: work,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A profile of `hello:app` run from `wsgiDir`, preload proven safe or not. */
function writeProfile(name: string, preloadSafe: boolean, argv: string[]): string {
  const profile = JSON.parse(execFileSync("cat", [fixtureProfile], { encoding: "utf8" })) as Record<
    string,
    unknown
  > & { app: Record<string, unknown>; preload: Record<string, unknown> };
  const id = appIdentity(argv, work);
  profile.app = { argv, spec: id.spec, chdir: id.chdir, fingerprint: id.fingerprint };
  profile.preload.safe = preloadSafe;
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(profile));
  return path;
}

beforeAll(() => {
  // Emits even while files outside the plan are mid-edit by others.
  spawnSync("npx", ["tsc", "-p", "tsconfig.build.json", "--noEmitOnError", "false"], {
    cwd: repoRoot,
    stdio: "ignore",
  });
  work = mkdtempSync(join(tmpdir(), "gwarden-plan-"));
}, 180_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.each(gunicornReleases().map((r) => [r.version, r] as const))(
  "gunicorn %s accepts the planned conf",
  (version, release) => {
    const appArgv = [...release.command, "--chdir", wsgiDir, "hello:app"];
    const variants: Array<[string, string[], (() => string[]) | null]> = [
      ["256M 1 CPU (gthread)", ["--memory", "256M", "--cpus", "1"], null],
      [
        "1G 2 CPUs, db on box, low memory",
        ["--memory", "1G", "--cpus", "2", "--db-on-box", "--low-memory"],
        null,
      ],
      [
        "2G with a preload-safe profile (gc.freeze)",
        ["--memory", "2G", "--cpus", "2"],
        () => ["--profile", writeProfile(`preload-${version}.json`, true, appArgv)],
      ],
    ];
    it.each(variants)("%s", (label, flags, extra) => {
      const conf = join(work, `plan-${version}-${label.replace(/\W+/g, "-")}.conf.py`);
      const out = gwarden(
        ["plan", ...flags, ...(extra ? extra() : []), "--format", "conf", "--", ...appArgv],
        release.env,
      );
      expect(out.stderr).toBe("");
      expect(out.code).toBe(0);
      writeFileSync(conf, out.stdout);
      if (label.includes("preload")) expect(out.stdout).toMatch(/^preload_app = True$/m);
      if (label.includes("gthread")) expect(out.stdout).toMatch(/^worker_class = ["']gthread["']$/m);
      const check = spawnSync(
        release.command[0]!,
        [...release.command.slice(1), "--check-config", "-c", conf, "--chdir", wsgiDir, "hello:app"],
        {
          cwd: work,
          env: { ...process.env, ...release.env },
          encoding: "utf8",
          timeout: 60_000,
        },
      );
      expect(check.stderr + check.stdout).not.toMatch(/Error|Traceback/);
      expect(check.status).toBe(0);
    });

    it("plans timeout and boot deadline for this version", () => {
      const out = gwarden(
        ["plan", "--memory", "512M", "--cpus", "1", "--format", "json", "--", ...appArgv],
        release.env,
      );
      expect(out.code).toBe(0);
      const plan = JSON.parse(out.stdout) as {
        inputs: { gunicornVersion: string };
        timeout: number;
        bootDeadline: number;
      };
      expect(plan.inputs.gunicornVersion).toBe(version);
      if (Number(version.split(".")[0]) <= 21) expect(plan.timeout).toBeGreaterThanOrEqual(plan.bootDeadline);
    });
  },
);

describe("plan output modes", () => {
  it("prints every format, and conflicts on stderr (text) or in JSON", () => {
    const sl = ["gunicorn", "wsgi:app", "-b", "0.0.0.0:7777", "-w", "2", "--timeout", "15"];
    for (const format of ["args", "env", "k8s"]) {
      const out = gwarden(["plan", "--memory", "256M", "--cpus", "1", "--format", format, "--", ...sl]);
      expect(out.code).toBe(0);
      expect(out.stderr).toMatch(/warning: `-w 2` on the command line beats the plan's workers = 1/);
    }
    const json = gwarden(["plan", "--memory", "256M", "--cpus", "1", "--format", "json", "--", ...sl]);
    expect(json.stderr).toBe("");
    expect(
      (JSON.parse(json.stdout) as { conflicts: Array<{ setting: string }> }).conflicts
        .map((c) => c.setting)
        .sort(),
    ).toEqual(["timeout", "workers"]);
    expect(JSON.parse(gwarden(["plan", "--memory", "512M", "--json"]).stdout)).toMatchObject({
      schema: 1,
      inputs: { memoryBytes: 512 * 1024 * 1024 },
    });
    const explain = gwarden(["plan", "--memory", "512M", "--explain"]);
    expect(explain.stdout).toMatch(/^workers = \d+\n {2}why: /m);
    const summary = gwarden(["plan", "--memory", "512M"], { LOW_MEMORY_MODE: "true" });
    expect(summary.stdout).toMatch(/Low-memory mode/);
  });
});

describe("plan refuses bad input", () => {
  it.each([
    [["--memory", "512Q"], /Expected `--memory` like 512M, 1G or 268435456, got `512Q`/],
    [["--cpus", "-1"], /Expected `--cpus` to be a number > 0 \(like 1, 2 or 0.5\), got `-1`/],
    [["--cpus", "0"], /Expected `--cpus` to be a number > 0 \(like 1, 2 or 0.5\), got `0`/],
    [["--cpus", "two"], /Expected `--cpus` to be a number > 0 \(like 1, 2 or 0.5\), got `two`/],
    [["--max-connections", "5"], /Expected `--max-connections` to be an integer ≥ 11, got `5`/],
    [["--format", "yaml"], /Expected `--format` to be one of conf, args, env, json, k8s, got `yaml`/],
    [["--profile", "nope.json"], /No profile file at `nope.json`/],
    [["--profile", join(repoRoot, "test/fixtures/plan/profile-malformed.json")], /is not JSON/],
  ])("%j", (args, message) => {
    const out = gwarden(["plan", ...args]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(message);
    expect(out.stdout).toBe("");
  });

  it("refuses a malformed profile naming the field", () => {
    const path = join(work, "bad-field.json");
    writeFileSync(
      path,
      JSON.stringify({
        ...(JSON.parse(execFileSync("cat", [fixtureProfile], { encoding: "utf8" })) as object),
        importSeconds: "fast",
      }),
    );
    const out = gwarden(["plan", "--profile", path]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/malformed: importSeconds/);
  });

  it("refuses a profile measured on another app", () => {
    const path = writeProfile("other-app.json", false, ["gunicorn", "--chdir", wsgiDir, "hello:app"]);
    const out = gwarden(["plan", "--profile", path, "--", "gunicorn", "--chdir", wsgiDir, "other:app"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/was measured on `hello:app`.*not on `other:app`/);
  });
});

describe("doctor", () => {
  it("prints one JSON document with findings and the effective config", () => {
    const out = gwarden(["doctor", "--json", "--", "gunicorn", "wsgi:app", "-w", "2", "--timeout", "15"], {
      GUNICORN_CMD_ARGS: "--timeout 60",
    });
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as {
      config: { effective: Record<string, { value: string; source: string }> };
      findings: Array<{ code: string }>;
    };
    expect(report.config.effective.timeout).toEqual({ value: "15", source: "command-line" });
    expect(report.findings.map((f) => f.code)).toContain("env-overridden-by-cli");
  });
});
