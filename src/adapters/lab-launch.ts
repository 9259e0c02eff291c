/**
 * How each config of the lab is launched: the planned config with gwarden's plan for the tier as its
 * gunicorn.conf.py (and the plan's pool size in the environment); default, custom and grid configs with
 * their sizing flags and an instrument-only config (hooks, no settings). The user's own config file is
 * chained in both, as `run` does. Also the plan for a tier.
 */
import { renderGunicornConf } from "../core/conf/render.js";
import type { LabInstanceSpec } from "../core/lab/types.js";
import { emitConf } from "../core/plan/emit-conf.js";
import { defaultPolicy } from "../core/plan/inputs.js";
import { planGunicorn } from "../core/plan/plan.js";
import type { Plan } from "../core/plan/types.js";
import type { Profile } from "../core/profile/types.js";
import type { InstanceLaunch } from "./lab-instance.js";

export interface LaunchContext {
  launcher: string[];
  /** The app's gunicorn arguments without gwarden-managed flags, the spec last. */
  appArgs: string[];
  userConfig: string | null;
  env: Record<string, string>;
  cwd: string;
  cpus: number;
  profile: Profile;
  gunicornVersion: string | null;
}

/** gwarden's plan at one tier (the sandbox's memory and CPU, no swap, /dev/shm for heartbeats). */
export function planAt(ctx: LaunchContext, tierBytes: number): Plan {
  return planGunicorn({
    resources: { memoryBytes: tierBytes, memorySource: "lab tier", cpus: ctx.cpus, cpuSource: "lab", swapBytes: 0, devShm: true, warnings: [] },
    profile: ctx.profile,
    policy: defaultPolicy({ gunicornVersion: ctx.gunicornVersion, appArgv: ctx.appArgs }),
  });
}

/** The environment of one instance: `{instance}` in a value becomes `<tier>-<config>` (a fresh database file per instance). */
export function instanceEnv(env: Record<string, string>, spec: LabInstanceSpec): Record<string, string> {
  const id = `${Math.round(spec.tierBytes / 1048576)}M-${spec.config.name}`;
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll("{instance}", id)]));
}

/** A launcher for the runner: the argv, conf and env of each (tier, config). */
export function launchFor(ctx: LaunchContext): (spec: LabInstanceSpec) => InstanceLaunch {
  const plans = new Map<number, Plan>();
  return (spec) => {
    const env = instanceEnv(ctx.env, spec);
    if (spec.config.kind === "planned") {
      const plan = plans.get(spec.tierBytes) ?? planAt(ctx, spec.tierBytes);
      plans.set(spec.tierBytes, plan);
      return {
        launcher: ctx.launcher,
        args: ctx.appArgs,
        conf: emitConf(plan, ctx.userConfig),
        env: { ...env, GWARDEN_DB_POOL_SIZE: String(plan.database.poolSize), GWARDEN_DB_MAX_OVERFLOW: String(plan.database.maxOverflow) },
        cwd: ctx.cwd,
      };
    }
    const conf = renderGunicornConf({ settings: {}, gcFreeze: false, userConfig: ctx.userConfig, comments: [`gwarden lab: ${spec.config.name} (${spec.config.label})`], requestHooks: false });
    return { launcher: ctx.launcher, args: [...spec.config.flags, ...ctx.appArgs], conf, env, cwd: ctx.cwd };
  };
}
