/** The plan as a gunicorn.conf.py, through the shared renderer; the reasons become its header comments. */
import type { Plan } from "../plan/types.js";
import { renderGunicornConf } from "../conf/render.js";
import type { PythonRuntime } from "../conf/python-runtime.js";
import { settingsFromPlan } from "../conf/from-plan.js";
import { reasonLines } from "./explain.js";

/**
 * gunicorn.conf.py text for `plan --format conf` and `run`: `userConfig` is the user's own config to
 * chain, or null; the plan's recycle budget becomes the in-worker memory guard (`guard` overrides it,
 * null turns it off).
 */
export function emitConf(
  plan: Plan,
  userConfig: string | null,
  runtime: PythonRuntime,
  options: { guard?: { bytes: number; explicit: boolean } | null } = {},
): string {
  const comments = [
    `gwarden plan for ${Math.round(plan.inputs.memoryBytes / 1048576)} MiB, ${plan.inputs.cpus} CPU(s), profile: ${plan.inputs.profile}`,
    "",
    ...reasonLines(plan),
    ...plan.warnings.map((w) => `WARNING: ${w}`),
    ...plan.conflicts.map((c) => `CONFLICT: ${c.message}`),
    "",
    `Database pool for the app: pool_size=${plan.database.poolSize}, max_overflow=${plan.database.maxOverflow} (env GWARDEN_DB_POOL_SIZE / GWARDEN_DB_MAX_OVERFLOW)`,
  ];
  return renderGunicornConf({
    settings: settingsFromPlan(plan),
    gcFreeze: plan.gcFreeze,
    userConfig,
    comments,
    guard: options.guard === undefined ? { bytes: plan.recycleBytes, explicit: false } : options.guard,
    runtime,
  });
}
