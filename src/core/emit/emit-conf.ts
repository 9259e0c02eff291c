/** The plan as a gunicorn.conf.py, through the shared renderer; the reasons become its header comments. */
import type { Plan } from "../plan/types.js";
import { renderGunicornConf } from "../conf/render.js";
import { settingsFromPlan } from "../conf/from-plan.js";
import { reasonLines } from "./explain.js";

/** gunicorn.conf.py text for `plan --format conf`; `userConfig` is the user's own config to chain, or null. */
export function emitConf(
  plan: Plan,
  userConfig: string | null = null,
  options: { requestHooks?: boolean } = {},
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
    requestHooks: options.requestHooks === true,
  });
}
