import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseGunicornArgv } from "../../core/argv/gunicorn-argv.js";

/**
 * The config file gunicorn would read for this command: `-c FILE` (resolved against cwd; `python:mod`
 * as given), else ./gunicorn.conf.py — gunicorn's own default.
 */
export function userConfigPath(argv: readonly string[], cwd: string): string {
  const given = argv.length > 0 ? parseGunicornArgv(argv).userConfig : null;
  if (given === null) return resolve(cwd, "gunicorn.conf.py");
  return given.startsWith("python:") ? given : resolve(cwd, given.replace(/^file:/, ""));
}

/** The user's own config to chain in gwarden's: `-c` from the command, else ./gunicorn.conf.py when present. */
export function userConfigFor(argv: readonly string[], cwd: string): string | null {
  const path = userConfigPath(argv, cwd);
  const given = argv.length > 0 && parseGunicornArgv(argv).userConfig !== null;
  return given || existsSync(path) ? path : null;
}

/** The text of the config file gunicorn would read, or null (none, unreadable, or a `python:` module). */
export function readUserConfig(argv: readonly string[], cwd: string): { path: string; text: string } | null {
  const path = userConfigPath(argv, cwd);
  if (path.startsWith("python:")) return null;
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch {
    return null;
  }
}
