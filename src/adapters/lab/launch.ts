/**
 * How each config of the lab is launched: the planned config as `gwarden run` inside the sandbox (the
 * supervisor counted against the limit as in production, planning from the lab's profile and the limit
 * it detects, adaptive control on, its hook records passed up to the lab); default, custom and grid
 * configs as plain gunicorn with their sizing flags and an instrument-only config (hooks, no settings).
 * The user's own config file is chained in both. Also the plan for a tier (what `gwarden run` will plan).
 */
import { join } from "node:path";
import { renderGunicornConf } from "../../core/conf/render.js";
import { pythonRuntime } from "../conf/python-runtime.js";
import type { LabInstanceSpec } from "../../core/lab/types.js";
import { defaultPolicy } from "../../core/plan/inputs.js";
import { planGunicorn } from "../../core/plan/plan.js";
import type { Plan, PlanResources } from "../../core/plan/types.js";
import type { Profile } from "../../core/profile/types.js";
import type { PostgresSettings, PostgresTemplate } from "./postgres.js";
import { heartbeatDirFacts } from "../resources/heartbeat-dirs.js";
import type { SandboxedGunicornOptions } from "../sandbox/sandboxed-gunicorn.js";
import { selfCommand } from "../platform/self.js";

export interface LaunchContext {
  launcher: string[];
  /** The app's gunicorn arguments without gwarden-managed flags, the spec last. */
  appArgs: string[];
  userConfig: string | null;
  env: Record<string, string>;
  cwd: string;
  cpus: number;
  profile: Profile;
  /** The profile's file, handed to `gwarden run --profile`. */
  profilePath: string;
  /** Where each planned instance's `gwarden run` writes its event log. */
  eventsDir: string;
  /** `--db-on-box`: the cluster every instance's PostgreSQL copies; null without. */
  postgres: PostgresTemplate | null;
  gunicornVersion: string | null;
  /** `--sandbox box` (inside the VM): the box's detected resources replace the tier's figures, and each instance's sandbox has no limit. */
  box?: { resources: PlanResources; makeSandbox: NonNullable<InstanceLaunch["makeSandbox"]> } | null;
  /** The lab's planning flags (`--low-memory`, `--no-threads`, `--max-connections`): planned with, and passed to `gwarden run`. */
  planning?: PlanningChoices;
}

/** The planning choices the lab's flags make, for its own plan and the planned `gwarden run` alike. */
export interface PlanningChoices {
  lowMemory: boolean;
  allowThreads: boolean;
  postgresMaxConnections: number;
}

/** The `gwarden run` flags that make the same choices. */
function planningArgs(choices: PlanningChoices | undefined): string[] {
  if (choices === undefined) return [];
  return [
    ...(choices.lowMemory ? ["--low-memory"] : []),
    ...(choices.allowThreads ? [] : ["--no-threads"]),
    "--max-connections",
    String(choices.postgresMaxConnections),
  ];
}

export interface InstanceLaunch {
  launcher: string[];
  /** gunicorn arguments for this config (its flags and the app's arguments, the spec last). */
  args: string[];
  /** gwarden's rendered config; null when the launcher is `gwarden run`, which makes its own. */
  conf: string | null;
  env: Record<string, string>;
  cwd: string;
  /** A PostgreSQL to start inside the sandbox first (`--db-on-box`): null settings are PostgreSQL's defaults. */
  database?: { template: PostgresTemplate; settings: PostgresSettings | null } | null;
  /** The sandbox maker (default: a cgroup with the tier's limits; `--sandbox box`: the whole machine). */
  makeSandbox?: SandboxedGunicornOptions["makeSandbox"];
}

/** gwarden's plan at one tier (the sandbox's memory and CPU, no swap, this host's heartbeat directories), or on the whole box (what `gwarden run` detects there). */
export function planAt(ctx: LaunchContext, tierBytes: number): Plan {
  return planGunicorn({
    resources: ctx.box?.resources ?? {
      memoryBytes: tierBytes,
      memorySource: "lab tier",
      cpus: ctx.cpus,
      cpuSource: "lab",
      swapBytes: 0,
      heartbeatDirs: heartbeatDirFacts(),
      warnings: [],
    },
    profile: ctx.profile,
    policy: defaultPolicy({
      ...ctx.planning,
      gunicornVersion: ctx.gunicornVersion,
      appArgv: ctx.appArgs,
      dbOnBox: ctx.postgres !== null,
    }),
  });
}

/** The environment of one instance: `{instance}` in a value becomes `<tier>-<config>` (a fresh database file per instance). */
export function instanceEnv(env: Record<string, string>, spec: LabInstanceSpec): Record<string, string> {
  const id = instanceId(spec);
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll("{instance}", id)]));
}

/** `{database_url}` in the app's environment becomes the on-box database's URL; without it, DATABASE_URL is set. */
export function withDatabaseUrl(env: Record<string, string>, url: string): Record<string, string> {
  const placeholder = "{database_url}";
  if (!Object.values(env).some((v) => v.includes(placeholder))) return { ...env, DATABASE_URL: url };
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll(placeholder, url)]));
}

/** `<tier>-<config>`, e.g. `256M-planned`; a repeat pass adds `-r<N>`. */
export function instanceId(spec: LabInstanceSpec): string {
  const round = spec.round > 1 ? `-r${spec.round}` : "";
  return `${Math.round(spec.tierBytes / 1048576)}M-${spec.config.name}${round}`;
}

/** A launcher for the runner: the argv, conf and env of each (tier, config). */
export function launchFor(ctx: LaunchContext): (spec: LabInstanceSpec) => InstanceLaunch {
  return (spec) => {
    const env = instanceEnv(ctx.env, spec);
    if (spec.config.kind === "planned") {
      const run = [
        ...selfCommand(),
        "run",
        "--listen",
        "127.0.0.1:0",
        "--events",
        join(ctx.eventsDir, `${instanceId(spec)}.jsonl`),
        "--profile",
        ctx.profilePath,
      ];
      if (ctx.postgres !== null) run.push("--db-on-box");
      run.push(...planningArgs(ctx.planning));
      // The server gets the settings the plan gives it (PostgreSQL's own memory is part of the plan).
      const database =
        ctx.postgres === null
          ? null
          : { template: ctx.postgres, settings: planAt(ctx, spec.tierBytes).database.postgres };
      return {
        launcher: [...run, "--", ...ctx.launcher],
        args: [...(ctx.userConfig === null ? [] : ["-c", ctx.userConfig]), ...ctx.appArgs],
        conf: null,
        env,
        cwd: ctx.cwd,
        database,
        ...(ctx.box ? { makeSandbox: ctx.box.makeSandbox } : {}),
      };
    }
    const conf = renderGunicornConf({
      settings: {},
      gcFreeze: false,
      userConfig: ctx.userConfig,
      comments: [`gwarden lab: ${spec.config.name} (${spec.config.label})`],
      guard: null,
      runtime: pythonRuntime(),
    });
    // Other configs meet PostgreSQL as a default install runs it.
    const database = ctx.postgres === null ? null : { template: ctx.postgres, settings: null };
    return {
      launcher: ctx.launcher,
      args: [...spec.config.flags, ...ctx.appArgs],
      conf,
      env,
      cwd: ctx.cwd,
      database,
      ...(ctx.box ? { makeSandbox: ctx.box.makeSandbox } : {}),
    };
  };
}
