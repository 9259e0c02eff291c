/**
 * Flags on the app's own command line beat a config file and GUNICORN_CMD_ARGS (gunicorn.md §6.1):
 * report each one that would defeat the plan.
 */
import type { Plan, PlanConflict } from "./types.js";
import { parseGunicornArgv } from "./gunicorn-argv.js";

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
    worker_tmp_dir: plan.workerTmpDir,
    backlog: String(plan.backlog),
    keepalive: String(plan.keepalive),
  };
}

function same(setting: string, given: string, planned: string): boolean {
  if (setting === "worker_class") return given.replace(/^gunicorn\.workers\.\w+\./, "").toLowerCase().replace(/worker$/, "") === planned;
  const a = Number(given);
  const b = Number(planned);
  if (Number.isFinite(a) && Number.isFinite(b)) return a === b;
  return given === planned;
}

/** Every flag in `argv` that sets a planned setting to another value. */
export function findConflicts(argv: readonly string[], plan: Omit<Plan, "conflicts">): PlanConflict[] {
  if (argv.length === 0) return [];
  const { settings } = parseGunicornArgv(argv);
  const planned = plannedSettings(plan);
  const conflicts: PlanConflict[] = [];
  for (const [setting, given] of Object.entries(settings)) {
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
