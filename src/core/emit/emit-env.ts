/** The plan as an env file (docker --env-file, compose env_file, systemd EnvironmentFile, Kubernetes env). */
import type { Plan } from "../plan/types.js";
import { emitArgs } from "./emit-args.js";

/** The variables the plan exports, in order: gunicorn's, then gwarden's for the app and for `run`. */
export function planEnv(plan: Plan): Array<{ name: string; value: string; comment: string }> {
  const vars = [
    {
      name: "GUNICORN_CMD_ARGS",
      value: emitArgs(plan),
      comment: "read by gunicorn ≥ 19.7; flags on the command line still win over it",
    },
    {
      name: "WEB_CONCURRENCY",
      value: String(plan.workers),
      comment: "gunicorn's default worker count when no --workers is given",
    },
    {
      name: "GWARDEN_DB_POOL_SIZE",
      value: String(plan.database.poolSize),
      comment: 'create_engine(url, pool_size=int(os.environ["GWARDEN_DB_POOL_SIZE"]), ...)',
    },
    {
      name: "GWARDEN_DB_MAX_OVERFLOW",
      value: String(plan.database.maxOverflow),
      comment: 'create_engine(..., max_overflow=int(os.environ["GWARDEN_DB_MAX_OVERFLOW"]))',
    },
    {
      name: "GWARDEN_BOOT_DEADLINE",
      value: String(plan.bootDeadline),
      comment: "seconds; enforced by gwarden run",
    },
    {
      name: "GWARDEN_RECYCLE_BYTES",
      value: String(plan.recycleBytes),
      comment: "per-worker private memory at which gwarden run recycles a worker",
    },
  ];
  if (plan.inputs.lowMemory)
    vars.push({ name: "LOW_MEMORY_MODE", value: "true", comment: "the plan was made in low-memory mode" });
  return vars;
}

/**
 * `NAME=value` lines with comments. Values are unquoted: docker's --env-file takes the rest of the line
 * literally (quotes would reach gunicorn), and compose and systemd accept unquoted values with spaces.
 */
export function emitEnv(plan: Plan): string {
  const lines = [
    "# gwarden plan: environment for gunicorn and the app",
    `# ${plan.workers} worker(s) × ${plan.threads} thread(s), ${plan.workerClass}; planned ${Math.round(plan.memory.plannedBytes / 1048576)} MiB of ${Math.round(plan.memory.limitBytes / 1048576)} MiB`,
    "# For docker --env-file, compose env_file or systemd EnvironmentFile (values are not quoted).",
  ];
  if (plan.gcFreeze)
    lines.push("# gc.freeze() needs the config file: use `gwarden plan --format conf` for it.");
  for (const v of planEnv(plan)) lines.push("", `# ${v.comment}`, `${v.name}=${v.value}`);
  for (const c of plan.conflicts) lines.push("", `# CONFLICT: ${c.message}`);
  return `${lines.join("\n")}\n`;
}
