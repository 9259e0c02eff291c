/**
 * What `plan` and `run` share to plan gunicorn: the profile (checked against the app), the installed
 * gunicorn's version, /dev/shm, the user's own config to chain, and the planner call itself.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { GwardenError } from "../core/error.js";
import { parseSize } from "../core/size.js";
import { planGunicorn } from "../core/plan/plan.js";
import { defaultPolicy, lowMemoryFromEnv, measuredSupervisor, planResources } from "../core/plan/inputs.js";
import { parseProcStatus } from "../core/proc/proc-status.js";
import { parseProfile } from "../core/plan/profile-schema.js";
import { isTmpfsDir } from "../core/doctor/fs-type.js";
import type { Plan } from "../core/plan/types.js";
import type { Profile } from "../core/profile/types.js";
import { appIdentity, parseGunicornArgv } from "../core/profile/app-identity.js";
import { gunicornVersion } from "../adapters/run/gunicorn-process.js";
import { detectResources } from "../adapters/resources/resources.js";
import { numberFlag } from "./argv.js";

const DEFAULT_PROFILE = ".gwarden/profile.json";

/** `--cpus`: a positive number (fractions allowed: a 0.5 CPU quota). */
export function cpusFlag(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new GwardenError(
      "E_NUMBER",
      `Expected \`--cpus\` to be a number > 0 (like 1, 2 or 0.5), got \`${value}\``,
    );
  }
  return n;
}

/** The profile to plan with: --profile (must exist), else .gwarden/profile.json when present, else null. */
export function loadProfile(
  flag: string | undefined,
  cwd: string,
): { profile: Profile | null; path: string | null } {
  const path = flag !== undefined && flag !== "" ? resolve(cwd, flag) : resolve(cwd, DEFAULT_PROFILE);
  if (!existsSync(path)) {
    if (flag !== undefined && flag !== "") {
      throw new GwardenError("E_PROFILE", `No profile file at \`${flag}\``, {
        hint: "create one with `gwarden profile -- <gunicorn command>`",
      });
    }
    return { profile: null, path: null };
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new GwardenError("E_PROFILE", `Cannot read the profile \`${path}\`: ${(cause as Error).message}`, {
      cause,
    });
  }
  return { profile: parseProfile(text, `\`${path}\``), path };
}

/** Refuses a profile measured on another app than the command after `--`. */
export function checkProfileApp(profile: Profile, argv: readonly string[], cwd: string, path: string): void {
  if (argv.length === 0) return;
  const identity = appIdentity(argv, cwd);
  if (identity.fingerprint !== profile.app.fingerprint) {
    throw new GwardenError(
      "E_PROFILE",
      `The profile \`${path}\` was measured on \`${profile.app.spec}\`${profile.app.chdir ? ` in ${profile.app.chdir}` : ""}, not on \`${identity.spec}\` in ${identity.chdir}`,
      {
        hint: "profile this app with `gwarden profile -- <its gunicorn command>`, or pass the right --profile",
      },
    );
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

export function readMountInfo(): string | null {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return null;
  }
}

/** The user's own config to chain in the emitted conf: `-c` from the command, else ./gunicorn.conf.py. */
export function userConfigFor(argv: readonly string[], cwd: string): string | null {
  const given = argv.length > 0 ? parseGunicornArgv(argv).userConfig : null;
  if (given !== null) return given.startsWith("python:") ? given : resolve(cwd, given.replace(/^file:/, ""));
  const local = resolve(cwd, "gunicorn.conf.py");
  return existsSync(local) ? local : null;
}

/** The planning flags `plan` and `run` both take. */
export interface PlanFlags {
  profile?: string | undefined;
  memory?: string | undefined;
  cpus?: string | undefined;
  "db-on-box"?: boolean | undefined;
  "low-memory"?: boolean | undefined;
  "supervisor-outside"?: boolean | undefined;
  "no-threads"?: boolean | undefined;
  "max-connections"?: string | undefined;
}

/** This process's anonymous memory (RssAnon), or null when /proc/self/status cannot say. */
export function selfAnonBytes(): number | null {
  try {
    return parseProcStatus(readFileSync("/proc/self/status", "utf8")).rssAnonBytes;
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
  own: readonly string[],
  rest: readonly string[],
  cwd: string,
  measureSelf = false,
): Promise<Plan> {
  const memoryBytes =
    args.memory !== undefined && args.memory !== "" ? parseSize(args.memory, "--memory") : undefined;
  const cpus = cpusFlag(args.cpus);
  const maxConnections = numberFlag(args["max-connections"], "--max-connections", { min: 11, integer: true });
  const { profile, path } = loadProfile(args.profile, cwd);
  if (profile !== null && path !== null) checkProfileApp(profile, rest, cwd, path);

  const mountinfo = readMountInfo();
  const resources = planResources(
    detectResources(),
    { memoryBytes, cpus },
    mountinfo === null ? existsSync("/dev/shm") : isTmpfsDir(mountinfo, "/dev/shm"),
  );
  const anon = measureSelf ? selfAnonBytes() : null;
  return planGunicorn({
    resources,
    profile,
    policy: defaultPolicy({
      ...(anon === null ? {} : measuredSupervisor(anon)),
      lowMemory: args["low-memory"] === true || lowMemoryFromEnv(process.env.LOW_MEMORY_MODE),
      dbOnBox: args["db-on-box"] === true,
      supervisorInGroup: args["supervisor-outside"] !== true,
      allowThreads: args["no-threads"] !== true && !own.includes("--no-threads"),
      gunicornVersion: await installedVersion(rest),
      ...(maxConnections !== undefined ? { postgresMaxConnections: maxConnections } : {}),
      appArgv: [...rest],
    }),
  });
}
