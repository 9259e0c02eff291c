/**
 * What `plan`, `run` and `doctor` share to plan gunicorn: the profile (checked against the app), the
 * installed gunicorn's version, where heartbeat files can go, and the planner call itself, from the
 * planning flags.
 */
import type { FlagValues } from "../core/cli/flags.js";
import { DEFAULT_PROFILE, type PLANNING_FLAGS } from "../core/cli/planning-flags.js";
import { GwardenError } from "../core/error.js";
import { planGunicorn } from "../core/plan/plan.js";
import { defaultPolicy, lowMemoryFromEnv, measuredSupervisor, planResources } from "../core/plan/inputs.js";
import type { Plan } from "../core/plan/types.js";
import type { Profile } from "../core/profile/types.js";
import { appIdentity, appMismatch, parseGunicornArgv } from "../core/profile/app-identity.js";
import { gunicornVersion } from "../adapters/run/gunicorn-process.js";
import { detectResources, selfAnonBytes } from "../adapters/resources/resources.js";
import { heartbeatDirFacts } from "../adapters/resources/heartbeat-dirs.js";
import { loadProfile as loadProfileFile } from "../adapters/profile/profile-file.js";

export { userConfigFor } from "../adapters/conf/user-config.js";

/** The planning flags' values, as every verb that plans reads them. */
export type PlanFlags = FlagValues<typeof PLANNING_FLAGS>;

/** The profile to plan with: --profile (must exist), else .gwarden/profile.json when present, else null. */
export function loadProfile(
  flag: string | undefined,
  cwd: string,
): { profile: Profile | null; path: string | null } {
  return loadProfileFile(flag, cwd, DEFAULT_PROFILE);
}

/** Refuses a profile measured on another app than the command after `--`, saying what differs. */
export function checkProfileApp(profile: Profile, argv: readonly string[], cwd: string, path: string): void {
  if (argv.length === 0) return;
  const identity = appIdentity(argv, cwd);
  if (identity.fingerprint !== profile.app.fingerprint) {
    throw new GwardenError("E_PROFILE", `The profile \`${path}\` ${appMismatch(profile.app, identity)}`, {
      hint: "profile this app with `gwarden profile -- <its gunicorn command>`, or pass the right --profile",
    });
  }
}

/** `gunicorn --version` through the app's launcher, or null when there is none. */
export async function installedVersion(argv: readonly string[]): Promise<string | null> {
  const launcher = argv.length > 0 ? parseGunicornArgv(argv).launcher : ["gunicorn"];
  try {
    return await gunicornVersion(launcher);
  } catch {
    return null;
  }
}

/**
 * Detects the box, loads and checks the profile, and plans gunicorn for the app command `rest`.
 * `measureSelf`: this process is the supervisor (`run`), so its own memory is measured, not assumed.
 */
export async function planFromFlags(
  args: PlanFlags,
  rest: readonly string[],
  cwd: string,
  measureSelf = false,
): Promise<Plan> {
  const { profile, path } = loadProfile(args.profile, cwd);
  if (profile !== null && path !== null) checkProfileApp(profile, rest, cwd, path);
  const resources = planResources(
    detectResources(),
    {
      ...(args.memory === undefined ? {} : { memoryBytes: args.memory }),
      ...(args.cpus === undefined ? {} : { cpus: args.cpus }),
    },
    heartbeatDirFacts(),
  );
  const anon = measureSelf ? selfAnonBytes() : null;
  return planGunicorn({
    resources,
    profile,
    policy: defaultPolicy({
      ...(anon === null ? {} : measuredSupervisor(anon)),
      lowMemory: args["low-memory"] || lowMemoryFromEnv(process.env.LOW_MEMORY_MODE),
      dbOnBox: args["db-on-box"],
      supervisorInGroup: !args["supervisor-outside"],
      allowThreads: !args["no-threads"],
      gunicornVersion: await installedVersion(rest),
      postgresMaxConnections: args["max-connections"],
      appArgv: [...rest],
    }),
  });
}
