/**
 * Every lab instance starts with the app's files out of the page cache. A page of cache is charged to
 * the cgroup that first read it, and stays charged (to the parent, once that group is removed) while it
 * is cached: without this, the first instance of an app pays for reading its modules and every later
 * instance of the same app looks lighter by that much (11–35 MiB measured on cgroup v1). Dropping the
 * whole cache (`echo 1 > /proc/sys/vm/drop_caches`) would hit every other process on the box; instead
 * the interpreter that runs gunicorn walks its own import path (sys.path, with the instance's
 * PYTHONPATH) and the app's directory, and asks the kernel to drop each module file it finds
 * (posix_fadvise DONTNEED; Node has no fadvise). Pages some running process maps (the interpreter,
 * libc) stay cached and charged elsewhere: the same for every instance.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

/** What the report says about memory figures. */
export const PAGE_CACHE_NOTE =
  "Peak memory: before each instance the app's Python files (its import path and its directory: .py, .pyc, .so, .zip) are dropped from the page cache with posix_fadvise(DONTNEED), so every instance pays for reading them, as on a freshly booted box; files a running process maps (the interpreter, system libraries) stay cached and uncounted alike for every instance.";

const SCRIPT = `
import os, sys
SUFFIXES = (".py", ".pyc", ".so", ".zip")
roots = [p for p in sys.argv[1:] + sys.path if p and os.path.isdir(p)]
seen, files = set(), 0
for root in roots:
    for d, dirs, names in os.walk(os.path.realpath(root)):
        if d in seen:
            dirs[:] = []
            continue
        seen.add(d)
        dirs[:] = [x for x in dirs if not x.startswith(".") and x != "node_modules"]
        for n in names:
            if not n.endswith(SUFFIXES):
                continue
            try:
                fd = os.open(os.path.join(d, n), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                files += 1
            except OSError:
                pass
            finally:
                os.close(fd)
print(files)
`;

export interface EvictTarget {
  /** The argv prefix that starts gunicorn (or `gwarden run ... -- gunicorn`). */
  launcher: string[];
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, path: string | undefined): string | null {
  if (name.includes("/")) return executable(name) ? name : null;
  for (const dir of (path ?? "").split(delimiter))
    if (dir !== "" && executable(join(dir, name))) return join(dir, name);
  return null;
}

/** The Python that runs gunicorn: the launcher's interpreter, or the gunicorn script's shebang. */
export function interpreterOf(target: EvictTarget): string {
  const launcher = target.launcher.includes("--")
    ? target.launcher.slice(target.launcher.lastIndexOf("--") + 1)
    : target.launcher;
  const first = launcher[0] ?? "gunicorn";
  const path = target.env.PATH ?? process.env.PATH;
  if (/^python[\d.]*$/.test(first.slice(first.lastIndexOf("/") + 1))) return first;
  const script = onPath(first, path);
  if (script !== null) {
    try {
      const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(readFileSync(script, "utf8").slice(0, 256));
      if (shebang) return shebang[1]!.endsWith("/env") && shebang[2] ? shebang[2] : shebang[1]!;
    } catch {
      // not readable as a script: a binary launcher
    }
  }
  return "python3";
}

/** The app's directory: `--chdir` resolved against cwd, else cwd. */
function appDir(target: EvictTarget): string {
  const i = target.args.findIndex((a) => a === "--chdir" || a.startsWith("--chdir="));
  if (i < 0) return target.cwd;
  const arg = target.args[i]!;
  return resolve(
    target.cwd,
    arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : (target.args[i + 1] ?? "."),
  );
}

/** Drops the app's files from the page cache; resolves with the count, rejects with why it could not. */
export function evictAppFiles(target: EvictTarget): Promise<number> {
  return new Promise((done, fail) => {
    execFile(
      interpreterOf(target),
      ["-c", SCRIPT, appDir(target)],
      { cwd: target.cwd, env: { ...process.env, ...target.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const count = Number(stdout.trim());
        if (error || !Number.isInteger(count))
          fail(new Error((stderr.trim() || error?.message || "no count").split("\n").at(-1)));
        else done(count);
      },
    );
  });
}
