/**
 * CI for the Python half of gwarden (src/python: the runtime the rendered gunicorn.conf.py embeds):
 * every file compiles on Debian's Python 3.11, passes pyflakes (Debian's pyflakes3, installed by
 * scripts/setup.sh), and the unit tests in test/python/ pass against the files themselves.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, systemPython } from "../../helpers/gunicorns.js";

const SRC = join(repoRoot, "src", "python");
const TESTS = join(repoRoot, "test", "python");

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".py"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(command, args, {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

describe("the Python runtime (src/python)", () => {
  const files = pythonFiles(SRC);

  it("has the files the renderer embeds", () => {
    expect(files.map((f) => f.slice(SRC.length + 1))).toContain("gwarden_runtime/hooks.py");
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it("compiles on Debian's Python 3.11", () => {
    const version = run(systemPython, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]);
    expect(version.out.trim()).toBe("3.11");
    const compiled = run(systemPython, [
      "-c",
      "import sys; [compile(open(f, encoding='ascii').read(), f, 'exec') for f in sys.argv[1:]]",
      ...files,
    ]);
    expect(compiled.out).toBe("");
    expect(compiled.code).toBe(0);
  });

  it("passes pyflakes (pyflakes3), with its tests", () => {
    const flakes = run("pyflakes3", [SRC, TESTS]);
    expect(flakes.out).toBe("");
    expect(flakes.code).toBe(0);
  });

  it("passes its unit tests (python3 -m unittest, test/python)", () => {
    const tests = run(systemPython, ["-m", "unittest", "discover", "-s", TESTS, "-t", TESTS], {
      PYTHONPATH: SRC,
      PYTHONDONTWRITEBYTECODE: "1",
    });
    expect(tests.out).toMatch(/\nOK/);
    expect(tests.code, tests.out).toBe(0);
  });
});
