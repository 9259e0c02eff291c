/**
 * gwarden as PID 1 in a container. Signals work (gwarden installs handlers for every signal it acts on,
 * so the kernel's PID-1 protection does not swallow them). Orphans are the other duty of PID 1: Node
 * cannot waitpid(-1), so gwarden makes the gunicorn master a child subreaper instead — a two-line
 * Python prelude sets PR_SET_CHILD_SUBREAPER (kept across execve) and execs gunicorn — and every
 * process orphaned below the master (an app's double-forked helper, a worker's child) is reparented to
 * the master, whose reap loop (waitpid(-1)) reaps it. What still reaches gwarden is only a dead master's
 * own workers; the warning says so and names the full fix (a reaping init).
 */
import { existsSync } from "node:fs";

const INITS = [
  "/usr/bin/tini",
  "/sbin/tini",
  "/usr/bin/dumb-init",
  "/usr/local/bin/tini",
  "/usr/local/bin/dumb-init",
];
/** Debian's interpreter, the one gunicorn runs on. */
export const SYSTEM_PYTHON = "/usr/bin/python3";
/** prctl(PR_SET_CHILD_SUBREAPER, 1), then exec the rest of argv. */
const PRELUDE =
  "import ctypes,os,sys\nctypes.CDLL(None).prctl(36, 1, 0, 0, 0)\nos.execvp(sys.argv[1], sys.argv[1:])";

/** The launcher that makes the master a child subreaper: `[python, -c, PRELUDE, ...launcher]`. */
export function subreaperLauncher(launcher: readonly string[], python: string = SYSTEM_PYTHON): string[] {
  return [python, "-c", PRELUDE, ...launcher];
}

export interface Pid1Setup {
  launcher: string[];
  /** What to tell the user, or null when gwarden is not PID 1. */
  warning: string | null;
}

/** When gwarden is PID 1: the subreaper launcher (if Debian's python is there) and the warning. */
export function pid1Setup(
  launcher: readonly string[],
  pid: number = process.pid,
  exists: (path: string) => boolean = existsSync,
): Pid1Setup {
  if (pid !== 1) return { launcher: [...launcher], warning: null };
  const init = INITS.find((path) => exists(path));
  const use =
    init !== undefined
      ? `\`ENTRYPOINT ["${init}", "--", "gwarden", "run", ...]\``
      : "`docker run --init`, or tini / dumb-init as the ENTRYPOINT";
  const python =
    launcher[0] !== undefined && /python3?(\.\d+)?$/.test(launcher[0]) ? launcher[0] : SYSTEM_PYTHON;
  if (!exists(python)) {
    return {
      launcher: [...launcher],
      warning: `running as PID 1 without ${python}: orphaned processes cannot be reaped by Node and stay zombies; run gwarden under a reaping init: ${use}`,
    };
  }
  return {
    launcher: subreaperLauncher(launcher, python),
    warning: `running as PID 1: the gunicorn master is made a child subreaper, so orphans below it are reaped; only a crashed master's own workers would stay zombies until gwarden exits (a reaping init avoids even that: ${use})`,
  };
}
