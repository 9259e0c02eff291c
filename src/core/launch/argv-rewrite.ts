/**
 * What `run` does with the user's gunicorn command line: flags on it beat gwarden's config file
 * (gunicorn.md §6.1), so by default every sizing flag is dropped and each drop is reported with its
 * reason; with `--keep-args` they stay and the risky ones are warned about. `-c` becomes the user config
 * gwarden's config chains; `--bind` always stays (where the app listens is the user's choice).
 */
import type { Plan } from "../plan/types.js";
import type { GunicornCommand, ManagedFlag, ManagedName } from "../argv/gunicorn-argv.js";
import { workerClassFlag } from "../plan/conflicts.js";

export interface Replacement {
  setting: ManagedName;
  /** The flag as written (`-w 2`, `--preload`). */
  given: string;
  planned: string;
  message: string;
}

export interface RewrittenArgv {
  /** gunicorn arguments to launch with (without `-c`): kept flags, the other arguments, the spec last. */
  args: string[];
  /** Flags dropped in favour of the plan. */
  replaced: Replacement[];
  /** Warnings: risky kept flags, a conflicting `-k`. */
  warnings: string[];
  /** Flags kept over the plan with --keep-args (risky or not), as `kept \`-w 1\` over the plan's workers = 3`. */
  kept: string[];
}

/** The Plan field behind each sizing flag. */
const PLAN_KEY = {
  workers: "workers",
  threads: "threads",
  timeout: "timeout",
  graceful_timeout: "gracefulTimeout",
  max_requests: "maxRequests",
  max_requests_jitter: "maxRequestsJitter",
  preload_app: "preload",
  worker_tmp_dir: "workerTmpDir",
  backlog: "backlog",
  keepalive: "keepalive",
} as const satisfies Record<Exclude<ManagedName, "bind" | "config">, keyof Plan>;

/** The plan's value of a managed setting, as gunicorn would print it; null for bind and config. */
export function plannedValue(plan: Plan, name: ManagedName): string | null {
  return name === "bind" || name === "config" ? null : String(plan[PLAN_KEY[name]]);
}

function flagText(flag: ManagedFlag): string {
  return flag.value === null ? flag.flag : `${flag.flag} ${flag.value}`;
}

function flagArgs(flag: ManagedFlag): string[] {
  return flag.value === null ? [flag.flag] : [flag.flag, flag.value];
}

/** Why a kept flag is risky against the plan, or null when it is not. */
export function keptRisk(flag: ManagedFlag, plan: Plan): string | null {
  const n = Number(flag.value);
  const text = flagText(flag);
  switch (flag.name) {
    case "workers":
      return n > plan.workers
        ? `\`${text}\` runs more workers than the ${plan.workers} that fit ${Math.round(plan.memory.limitBytes / 1048576)} MiB: expect OOM kills`
        : null;
    case "threads":
      return n > plan.threads && plan.threads === 1
        ? `\`${text}\`: the plan chose 1 thread (the app may not be thread-safe, or memory is short)`
        : null;
    case "timeout":
      if (
        n < plan.bootDeadline &&
        !plan.preload &&
        plan.inputs.gunicornVersion !== null &&
        /^(1\d|20|21)\./.test(plan.inputs.gunicornVersion)
      ) {
        return `\`${text}\` is shorter than the ${plan.bootDeadline} s a worker may need to boot; gunicorn ${plan.inputs.gunicornVersion} counts the import inside timeout, so workers can loop on WORKER TIMEOUT`;
      }
      return n < plan.timeout
        ? `\`${text}\` is below the planned ${plan.timeout} s: slow requests will be killed as WORKER TIMEOUT`
        : null;
    case "graceful_timeout":
      return n > plan.gracefulTimeout
        ? `\`${text}\` is above the planned ${plan.gracefulTimeout} s: the platform may SIGKILL before in-flight requests finish`
        : null;
    case "max_requests":
      return n > 0 && n < plan.maxRequests
        ? `\`${text}\` recycles workers more often than planned; each recycle re-imports the app`
        : null;
    case "preload_app":
      return plan.preload
        ? null
        : "`--preload` was not proven safe for this app (profile it): shared import-time connections break, and the master becomes the OOM killer's target";
    case "worker_tmp_dir":
      return plan.workerTmpDir !== null && flag.value !== plan.workerTmpDir
        ? `\`${text}\`: heartbeats on a disk-backed directory can block workers into WORKER TIMEOUT (plan: ${plan.workerTmpDir})`
        : null;
    case "keepalive":
      return plan.workerClass === "gthread" && n > 0
        ? `\`${text}\` with gthread: a worker that retires drops requests sent on its idle keep-alive connections`
        : null;
    case "max_requests_jitter":
    case "backlog":
    case "bind":
    case "config":
      return null;
  }
}

/** Decides the arguments gunicorn is launched with, and says what was replaced or risked. */
export function rewriteArgv(
  command: GunicornCommand,
  plan: Plan,
  options: { keepArgs: boolean },
): RewrittenArgv {
  const args: string[] = [];
  const replaced: Replacement[] = [];
  const warnings: string[] = [];
  const kept: string[] = [];
  const last = new Map<ManagedName, ManagedFlag>();
  for (const flag of command.managed) last.set(flag.name, flag);
  for (const flag of command.managed) {
    if (flag.name === "config") continue;
    if (flag.name === "bind" || options.keepArgs) {
      args.push(...flagArgs(flag));
      if (flag.name !== "bind" && last.get(flag.name) === flag) {
        const risk = keptRisk(flag, plan);
        if (risk !== null) warnings.push(`kept ${risk}`);
        else
          kept.push(
            `kept \`${flagText(flag)}\` over the plan's ${flag.name} = ${plannedValue(plan, flag.name) ?? "?"} (--keep-args)`,
          );
      }
      continue;
    }
    if (last.get(flag.name) !== flag) continue;
    const planned = plannedValue(plan, flag.name) ?? "";
    const reason = plan.reasons[PLAN_KEY[flag.name as keyof typeof PLAN_KEY]]?.reason;
    replaced.push({
      setting: flag.name,
      given: flagText(flag),
      planned,
      message: `replaced \`${flagText(flag)}\` with ${flag.name} = ${planned}${reason ? `: ${reason}` : ""} (--keep-args keeps it)`,
    });
  }
  const k = workerClassFlag(command);
  if (
    k !== null &&
    k.value
      .replace(/^gunicorn\.workers\.\w+\./, "")
      .toLowerCase()
      .replace(/worker$/, "") !== plan.workerClass
  ) {
    warnings.push(
      `\`${k.text}\` beats the plan's worker class ${plan.workerClass}; the plan's threads (${plan.threads}) and memory arithmetic assume ${plan.workerClass}`,
    );
  }
  args.push(...command.args);
  if (command.spec !== null) args.push(command.spec);
  return { args, replaced, warnings, kept };
}
