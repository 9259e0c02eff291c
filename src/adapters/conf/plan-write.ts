/**
 * `gwarden plan --write [--force]`: the plan into the directory gunicorn starts from — gunicorn.conf.py
 * (or gunicorn.gwarden.conf.py beside the user's own), or gwarden.env with `--format env` — after
 * printing the diff. What may be written is decided in src/core/emit/write-conf.ts; this reads the
 * files, prints, and writes (atomically: a crash leaves the old file or the new one).
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { GwardenError } from "../../core/error.js";
import { pythonRuntime } from "./python-runtime.js";
import { emitConf } from "../../core/emit/emit-conf.js";
import { emitEnv } from "../../core/emit/emit-env.js";
import type { Plan } from "../../core/plan/types.js";
import {
  BESIDE_FILE,
  CONF_FILE,
  decideConfWrite,
  decideEnvWrite,
  ENV_FILE,
  type ConfWrite,
  type FileNow,
} from "../../core/emit/write-conf.js";
import { parseGunicornArgv } from "../../core/argv/gunicorn-argv.js";

function fileNow(path: string): FileNow {
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { path, text: null };
    throw new GwardenError("E_IO", `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** The -c file of the gunicorn command after `--` (resolved against cwd), or null. */
function commandConfig(argv: readonly string[], cwd: string): FileNow | null {
  const given = argv.length > 0 ? parseGunicornArgv(argv).userConfig : null;
  if (given === null) return null;
  if (given.startsWith("python:"))
    throw new GwardenError("E_USAGE", `--write cannot replace a config module (\`-c ${given}\`)`, {
      hint: "use `gwarden plan --format conf` and load it yourself",
    });
  return fileNow(resolve(cwd, given.replace(/^file:/, "")));
}

/** Decides, prints the diff (stdout) and notes (stderr), writes; throws E_USAGE when gwarden may not write. */
export function writePlan(
  plan: Plan,
  format: string | null,
  argv: readonly string[],
  cwd: string,
  force: boolean,
): void {
  if (format !== null && format !== "conf" && format !== "env")
    throw new GwardenError("E_USAGE", `--write writes --format conf or env, not \`${format}\``);
  const decision: ConfWrite =
    format === "env"
      ? decideEnvWrite(fileNow(resolve(cwd, ENV_FILE)), emitEnv(plan), force)
      : decideConfWrite({
          conf: fileNow(resolve(cwd, CONF_FILE)),
          beside: fileNow(resolve(cwd, BESIDE_FILE)),
          commandConfig: commandConfig(argv, cwd),
          render: (userConfig) => emitConf(plan, userConfig, pythonRuntime()),
          force,
        });
  if (decision.action === "refuse")
    throw new GwardenError("E_USAGE", `Not writing ${decision.path}: ${decision.reason}`, {
      hint: decision.hint,
    });
  if (decision.action === "write") {
    process.stdout.write(decision.diff);
    const tmp = `${decision.path}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, decision.text);
      renameSync(tmp, decision.path);
    } catch (error) {
      throw new GwardenError("E_IO", `Cannot write ${decision.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  process.stderr.write(
    `gwarden plan: ${decision.action === "write" ? "wrote" : "unchanged:"} ${decision.path}\n`,
  );
  for (const note of decision.notes) process.stderr.write(`gwarden plan: ${note}\n`);
}
