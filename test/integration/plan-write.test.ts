/**
 * `gwarden plan --write` with the built CLI on real files, and real gunicorn reading what it wrote
 * (`--print-config`): the user's own gunicorn.conf.py is kept and chained, a second write is a no-op, an
 * edited file is refused until --force, and without a user config gunicorn picks the plan up by itself.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, appendFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exampleDir, repoRoot, systemPython } from "../helpers/gunicorns.js";

const cli = join(repoRoot, "dist", "cli.js");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gwarden-write-"));
  dirs.push(dir);
  return dir;
}

function planWrite(cwd: string, ...flags: string[]) {
  const r = spawnSync(
    process.execPath,
    [cli, "plan", "--write", "--memory", "512M", "--cpus", "1", ...flags],
    { cwd, encoding: "utf8" },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** gunicorn's resolved settings (name → value) with `args` in `cwd`. */
function printConfig(cwd: string, args: string[]): Record<string, string> {
  const out = execFileSync(
    systemPython,
    ["-m", "gunicorn", ...args, "--print-config", "--chdir", exampleDir, "app:app"],
    { cwd, encoding: "utf8" },
  );
  return Object.fromEntries(
    out
      .split("\n")
      .map((line) => /^(\w+)\s+= (.*)$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}

describe("gwarden plan --write", () => {
  it("keeps the user's gunicorn.conf.py and writes gwarden's beside it, loading theirs first", () => {
    const dir = tempDir();
    const mine = 'proc_name = "mine"\nworkers = 7\n';
    writeFileSync(join(dir, "gunicorn.conf.py"), mine);
    const first = planWrite(dir);
    expect(first.code).toBe(0);
    expect(first.stdout.split("\n").slice(0, 2)).toEqual([
      "--- /dev/null",
      `+++ ${join(dir, "gunicorn.gwarden.conf.py")}`,
    ]);
    expect(first.stderr).toContain(
      `add \`-c ${join(dir, "gunicorn.gwarden.conf.py")}\` to the gunicorn command`,
    );
    expect(readFileSync(join(dir, "gunicorn.conf.py"), "utf8")).toBe(mine);
    const settings = printConfig(dir, ["-c", "gunicorn.gwarden.conf.py"]);
    expect(settings.proc_name).toBe("mine");
    expect(settings.workers).toBe("2");
    expect(settings.worker_tmp_dir).toBe("/dev/shm");

    const again = planWrite(dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("unchanged");

    appendFileSync(join(dir, "gunicorn.gwarden.conf.py"), "timeout = 90\n");
    const edited = planWrite(dir);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/edited since[\s\S]*--force/);
    const forced = planWrite(dir, "--force");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("-timeout = 90");
    expect(readFileSync(join(dir, "gunicorn.conf.py"), "utf8")).toBe(mine);
  });

  it("writes ./gunicorn.conf.py when there is none, which gunicorn reads by itself; --format env writes gwarden.env", () => {
    const dir = tempDir();
    expect(planWrite(dir).code).toBe(0);
    expect(existsSync(join(dir, "gunicorn.gwarden.conf.py"))).toBe(false);
    const settings = printConfig(dir, []);
    expect(settings.workers).toBe("2");
    expect(settings.timeout).toBe("30");

    const env = planWrite(dir, "--format", "env");
    expect(env.code).toBe(0);
    expect(readFileSync(join(dir, "gwarden.env"), "utf8")).toMatch(/^GUNICORN_CMD_ARGS=--workers 2 /m);
    expect(planWrite(dir, "--format", "json").code).toBe(2);
  });
});
