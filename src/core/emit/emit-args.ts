/** The plan as gunicorn command-line flags, and as one GUNICORN_CMD_ARGS string. */
import type { Plan } from "../plan/types.js";

/** The plan's gunicorn flags, in a stable order (gc.freeze has no flag: it needs the conf file). */
export function planArgs(plan: Plan): string[] {
  const args = [
    "--workers",
    String(plan.workers),
    "--worker-class",
    plan.workerClass,
    "--threads",
    String(plan.threads),
    "--timeout",
    String(plan.timeout),
    "--graceful-timeout",
    String(plan.gracefulTimeout),
    "--max-requests",
    String(plan.maxRequests),
    "--max-requests-jitter",
    String(plan.maxRequestsJitter),
    "--backlog",
    String(plan.backlog),
    "--keep-alive",
    String(plan.keepalive),
  ];
  if (plan.workerTmpDir !== null) args.push("--worker-tmp-dir", plan.workerTmpDir);
  if (plan.preload) args.push("--preload");
  return args;
}

/** Quotes one word for POSIX shells and Python's shlex.split (plain words stay bare). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** `--workers 2 --worker-class sync ...`: the value of GUNICORN_CMD_ARGS. */
export function emitArgs(plan: Plan): string {
  return planArgs(plan).map(shellQuote).join(" ");
}
