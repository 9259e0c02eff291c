/**
 * gwarden as PID 1 in a container. Signals work (gwarden installs handlers for every signal it acts on,
 * so the kernel's PID-1 protection does not swallow them), but orphans are reparented to PID 1 and only
 * a process calling waitpid(-1) reaps them; Node cannot. So gwarden says so once, and the docs tell
 * people to run it under a reaping init (`docker run --init`, tini, dumb-init).
 */
import { existsSync } from "node:fs";

const INITS = ["/usr/bin/tini", "/sbin/tini", "/usr/bin/dumb-init", "/usr/local/bin/tini", "/usr/local/bin/dumb-init"];

/** The warning to print when gwarden runs as PID 1, or null when it does not. */
export function pid1Warning(pid: number = process.pid, exists: (path: string) => boolean = existsSync): string | null {
  if (pid !== 1) return null;
  const init = INITS.find((path) => exists(path));
  const use = init !== undefined ? `\`ENTRYPOINT ["${init}", "--", "gwarden", "run", ...]\`` : "`docker run --init`, or tini / dumb-init as the ENTRYPOINT";
  return `running as PID 1: signals are handled, but orphaned processes (children of dead workers) cannot be reaped by Node and stay zombies; run gwarden under a reaping init: ${use}`;
}
