/**
 * The real gunicorn releases tests run against: Debian's 20.1.0 (/usr/bin/gunicorn) plus whatever
 * `scripts/setup.sh` unpacked from ../shared/tools/gunicorn-versions (23.0.0 and 26.x), listed in
 * `.gunicorn-versions.txt` as `<version> PYTHONPATH=<dir>` lines.
 */
import { readFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const exampleDir = join(repoRoot, "example");
/** Debian's interpreter: the one that has gunicorn, flask, sqlalchemy (not pyenv's python3 on PATH). */
export const systemPython = "/usr/bin/python3";

export interface GunicornRelease {
  version: string;
  /** argv prefix that starts this release's gunicorn: [python, "-m", "gunicorn"]. */
  command: string[];
  /** Environment additions (PYTHONPATH) that select this release. */
  env: Record<string, string>;
}

export function gunicornReleases(): GunicornRelease[] {
  const releases: GunicornRelease[] = [];
  try {
    const version = execFileSync(systemPython, ["-m", "gunicorn", "--version"], { encoding: "utf8" })
      .trim()
      .replace(/^.*?(\d+\.\d+\.\d+).*$/s, "$1");
    releases.push({ version, command: [systemPython, "-m", "gunicorn"], env: {} });
  } catch {
    // Debian's gunicorn is missing: the setup script installs it; tests that need it will fail loudly.
  }
  const list = join(repoRoot, ".gunicorn-versions.txt");
  if (existsSync(list)) {
    for (const line of readFileSync(list, "utf8").split("\n")) {
      const m = /^(\S+) PYTHONPATH=(\S+)$/.exec(line.trim());
      if (m)
        releases.push({
          version: m[1]!,
          command: [systemPython, "-m", "gunicorn"],
          env: { PYTHONPATH: m[2]! },
        });
    }
  }
  return releases;
}
