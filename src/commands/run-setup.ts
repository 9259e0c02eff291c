/**
 * Everything `run` decides before launching: the plan (with a --boot-deadline override), the rewritten
 * gunicorn arguments and environment, the config text, the event log — and the lines that tell the
 * user what was replaced and why.
 */
import { emitConf } from "../core/emit/emit-conf.js";
import { pythonRuntime } from "../adapters/conf/python-runtime.js";
import type { Plan } from "../core/plan/types.js";
import { parseGunicornArgv } from "../core/argv/gunicorn-argv.js";
import { rewriteArgv } from "../core/launch/argv-rewrite.js";
import { envConflicts } from "../core/launch/env-conflicts.js";
import { openEventLog, type EventLog } from "../adapters/run/event-log.js";
import { pid1Setup } from "../adapters/run/pid1.js";
import { resolvePosix } from "../core/posix-path.js";
import { planFromFlags, userConfigFor, type PlanFlags } from "./plan-setup.js";

export interface RunSetup {
  plan: Plan;
  launcher: string[];
  args: string[];
  conf: string;
  env: Record<string, string>;
  eventLog: EventLog | null;
}

export interface RunSetupInput {
  args: PlanFlags;
  rest: readonly string[];
  cwd: string;
  keepArgs: boolean;
  bootDeadlineMs: number | null;
  /**
   * The workers' own memory guard (part of adaptive control's recycling by memory): off with
   * `--no-adaptive` (false), at `--recycle-at` as given (recycleBytes), else at the plan's recycle budget.
   */
  adaptive?: boolean;
  recycleBytes?: number;
  eventsPath: string;
  say?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** One line summing the plan up. */
function planLine(plan: Plan): string {
  const mib = (b: number) => `${Math.round(b / 1048576)} MiB`;
  return (
    `plan: ${plan.workers} ${plan.workerClass} worker(s) × ${plan.threads} thread(s), timeout ${plan.timeout} s, graceful ${plan.gracefulTimeout} s, ` +
    `boot deadline ${plan.bootDeadline} s, max_requests ${plan.maxRequests}±${plan.maxRequestsJitter}, preload ${plan.preload ? "on" : "off"}, ` +
    `heartbeat in ${plan.workerTmpDir}; for ${mib(plan.inputs.memoryBytes)} (${plan.inputs.memorySource}), ${plan.inputs.cpus} CPU(s), profile: ${plan.inputs.profile}` +
    (plan.database.postgres === null
      ? ""
      : `; PostgreSQL on the box: ${mib(plan.database.postgres.estimatedBytes)} planned, pool ${plan.database.poolSize}+${plan.database.maxOverflow} per worker`)
  );
}

/** Plans, rewrites the command and opens the event log; prints what it decided. */
export async function prepareRun(input: RunSetupInput): Promise<RunSetup> {
  const say = input.say ?? ((text: string) => process.stderr.write(`gwarden: ${text}\n`));
  const env = input.env ?? process.env;
  let plan = await planFromFlags(input.args, input.rest, input.cwd, true);
  if (input.bootDeadlineMs !== null)
    plan = { ...plan, bootDeadline: Math.max(1, Math.round(input.bootDeadlineMs / 1000)) };
  const command = parseGunicornArgv(input.rest);
  const rewritten = rewriteArgv(command, plan, { keepArgs: input.keepArgs });
  const envDecision = envConflicts(env, plan, { keepArgs: input.keepArgs });
  say(planLine(plan));
  for (const warning of plan.warnings) say(`warning: ${warning}`);
  for (const r of rewritten.replaced) say(r.message);
  for (const k of rewritten.kept) say(k);
  for (const w of rewritten.warnings) say(`warning: ${w}`);
  for (const m of envDecision.messages) say(`warning: ${m}`);
  const pid1 = pid1Setup(command.launcher);
  if (pid1.warning !== null) say(`warning: ${pid1.warning}`);
  const eventLog =
    input.eventsPath === "" ? null : openEventLog({ path: resolvePosix(input.cwd, input.eventsPath) });
  return {
    plan,
    launcher: pid1.launcher,
    args: rewritten.args,
    conf: emitConf(
      plan,
      userConfigFor(input.rest, input.cwd),
      pythonRuntime(),
      input.adaptive === false
        ? { guard: null }
        : input.recycleBytes === undefined
          ? {}
          : { guard: { bytes: input.recycleBytes, explicit: true } },
    ),
    env: {
      ...(envDecision.gunicornCmdArgs === "" ? {} : { GUNICORN_CMD_ARGS: envDecision.gunicornCmdArgs }),
      GWARDEN_DB_POOL_SIZE: String(plan.database.poolSize),
      GWARDEN_DB_MAX_OVERFLOW: String(plan.database.maxOverflow),
    },
    eventLog,
  };
}
