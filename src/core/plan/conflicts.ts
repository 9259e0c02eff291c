/**
 * Flags on the app's own command line beat a config file and GUNICORN_CMD_ARGS (gunicorn.md §6.1):
 * report each one that would defeat the plan.
 */
import type { Plan, PlanConflict } from "./types.js";
import { parseGunicornArgv, type GunicornCommand } from "../argv/gunicorn-argv.js";

/** The planned value of each setting a command line can fix, as gunicorn would print it. */
function plannedSettings(plan: Omit<Plan, "conflicts">): Record<string, string> {
  return {
    workers: String(plan.workers),
    threads: String(plan.threads),
    worker_class: plan.workerClass,
    timeout: String(plan.timeout),
    graceful_timeout: String(plan.gracefulTimeout),
    max_requests: String(plan.maxRequests),
    max_requests_jitter: String(plan.maxRequestsJitter),
    preload_app: String(plan.preload),
    ...(plan.workerTmpDir === null ? {} : { worker_tmp_dir: plan.workerTmpDir }),
    backlog: String(plan.backlog),
    keepalive: String(plan.keepalive),
  };
}

/** `-k gthread`, `-kgthread`, `--worker-class=gthread` among the unmanaged arguments (last wins). */
export function workerClassFlag(command: GunicornCommand): { text: string; value: string } | null {
  let found: { text: string; value: string } | null = null;
  const args = command.args;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if ((arg === "-k" || arg === "--worker-class") && args[i + 1] !== undefined)
      found = { text: `${arg} ${args[i + 1]!}`, value: args[++i]! };
    else if (arg.startsWith("--worker-class="))
      found = { text: arg, value: arg.slice("--worker-class=".length) };
    else if (/^-k[^-]/.test(arg)) found = { text: arg, value: arg.slice(2) };
  }
  return found;
}

/** Every sizing setting a command line fixes, with the flag as written: `{ workers: { text: "-w 2", value: "2" } }`. */
export function commandLineSettings(
  argv: readonly string[],
): Record<string, { text: string; value: string }> {
  const command = parseGunicornArgv(argv);
  const out: Record<string, { text: string; value: string }> = {};
  for (const flag of command.managed) {
    if (flag.name === "bind" || flag.name === "config") continue;
    const value = flag.value ?? "true";
    out[flag.name] = { text: flag.value === null ? flag.flag : `${flag.flag} ${flag.value}`, value };
  }
  const k = workerClassFlag(command);
  if (k) out.worker_class = k;
  return out;
}

function same(setting: string, given: string, planned: string): boolean {
  if (setting === "worker_class")
    return (
      given
        .replace(/^gunicorn\.workers\.\w+\./, "")
        .toLowerCase()
        .replace(/worker$/, "") === planned
    );
  const a = Number(given);
  const b = Number(planned);
  if (Number.isFinite(a) && Number.isFinite(b)) return a === b;
  return given === planned;
}

/** Every flag in `argv` that sets a planned setting to another value. */
export function findConflicts(argv: readonly string[], plan: Omit<Plan, "conflicts">): PlanConflict[] {
  if (argv.length === 0) return [];
  const planned = plannedSettings(plan);
  const conflicts: PlanConflict[] = [];
  for (const [setting, given] of Object.entries(commandLineSettings(argv))) {
    const want = planned[setting];
    if (want === undefined || same(setting, given.value, want)) continue;
    conflicts.push({
      setting,
      given: given.text,
      planned: want,
      message: `\`${given.text}\` on the command line beats the plan's ${setting} = ${want} (command-line flags override gunicorn.conf.py and GUNICORN_CMD_ARGS); remove it from the command`,
    });
  }
  return conflicts;
}
