/**
 * The listen backlog a running gunicorn master was configured with, resolved the way gunicorn resolves
 * it (defaults < config file < GUNICORN_CMD_ARGS < command line; gunicorn.md §6.1) from what /proc
 * shows of it. `monitor --pid` then measures the accept queue against the same limit as `monitor --url`,
 * whose snapshot carries the plan's backlog.
 */
import { parseGunicornArgv } from "../argv/gunicorn-argv.js";
import { resolvePosix } from "../profile/app-identity.js";
import { shellSplit } from "../argv/shell-split.js";
import { effectiveConfig } from "../doctor/effective-config.js";

export interface MasterProcess {
  /** /proc/<pid>/cmdline, NUL-separated. */
  cmdline: string;
  /** /proc/<pid>/environ, NUL-separated; null when unreadable (another user's process). */
  environ: string | null;
  /** The master's working directory (/proc/<pid>/cwd), for a relative config path. */
  cwd: string | null;
}

/** gunicorn's argv out of a cmdline: `python3 /usr/bin/gunicorn …` loses the interpreter. */
export function gunicornArgv(cmdline: string): string[] {
  const argv = cmdline.split("\0").filter((part, i, all) => part !== "" || i < all.length - 1);
  const first = argv[0] ?? "";
  const interpreter = /^python[\d.]*$/.test(first.slice(first.lastIndexOf("/") + 1));
  return interpreter && argv[1] !== undefined && !argv[1].startsWith("-") ? argv.slice(1) : argv;
}

function environment(environ: string | null): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of (environ ?? "").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The config file the master read (absolute), or null for `python:` modules and an unknown cwd. */
export function configPath(master: MasterProcess): string | null {
  const argv = gunicornArgv(master.cmdline);
  const env = environment(master.environ);
  const fromEnv = parseGunicornArgv(["gunicorn", ...shellSplit(env.GUNICORN_CMD_ARGS ?? "")]).userConfig;
  const named = parseGunicornArgv(argv).userConfig ?? fromEnv ?? "gunicorn.conf.py";
  if (named.startsWith("python:")) return null;
  const path = named.replace(/^file:/, "");
  if (path.startsWith("/")) return path;
  return master.cwd === null ? null : resolvePosix(master.cwd, path);
}

/** The effective backlog; gunicorn's default (2048) when nothing sets it. */
export function masterBacklog(master: MasterProcess, configText: string | null): number {
  const env = environment(master.environ);
  const path = configPath(master);
  const settings = effectiveConfig({
    configFile: configText === null || path === null ? null : { path, text: configText },
    env: { GUNICORN_CMD_ARGS: env.GUNICORN_CMD_ARGS },
    argv: gunicornArgv(master.cmdline),
  });
  const value = Number(settings.backlog?.value);
  return Number.isInteger(value) && value > 0 ? value : 2048;
}
