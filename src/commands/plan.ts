/**
 * `gwarden plan [--profile F] [--memory SIZE] [--cpus N] [--db-on-box] [--low-memory] [--supervisor-outside]
 * [--no-threads] [--max-connections N] [--format conf|args|env|json|k8s] [--explain] [-- gunicorn app args]`:
 * detect the box, read the app's profile, plan gunicorn, print the plan (or one config format).
 */
import { defineCommand } from "citty";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { GwardenError } from "../core/error.js";
import { parseSize } from "../core/size.js";
import { planGunicorn } from "../core/plan/plan.js";
import { defaultPolicy, lowMemoryFromEnv, planResources } from "../core/plan/inputs.js";
import { parseProfile } from "../core/plan/profile-schema.js";
import { renderExplain, renderSummary } from "../core/plan/explain.js";
import { emitArgs } from "../core/plan/emit-args.js";
import { emitEnv } from "../core/plan/emit-env.js";
import { emitJson } from "../core/plan/emit-json.js";
import { emitK8s } from "../core/plan/emit-k8s.js";
import { emitConf } from "../core/plan/emit-conf.js";
import { isTmpfsDir } from "../core/doctor/fs-type.js";
import type { Plan } from "../core/plan/types.js";
import type { Profile } from "../core/profile/types.js";
import { appIdentity, parseGunicornArgv } from "../core/profile/app-identity.js";
import { gunicornVersion } from "../adapters/gunicorn-process.js";
import { detectResources } from "../adapters/resources.js";
import { numberFlag, splitAtDoubleDash } from "./argv.js";

const DEFAULT_PROFILE = ".gwarden/profile.json";
const FORMATS = ["conf", "args", "env", "json", "k8s"] as const;
type Format = (typeof FORMATS)[number];

/** `--cpus`: a positive number (fractions allowed: a 0.5 CPU quota). */
export function cpusFlag(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new GwardenError("E_NUMBER", `Expected \`--cpus\` to be a number > 0 (like 1, 2 or 0.5), got \`${value}\``);
  }
  return n;
}

function formatFlag(value: string | undefined): Format | null {
  if (value === undefined || value === "") return null;
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new GwardenError("E_USAGE", `Expected \`--format\` to be one of ${FORMATS.join(", ")}, got \`${value}\``);
}

/** The profile to plan with: --profile (must exist), else .gwarden/profile.json when present, else null. */
export function loadProfile(flag: string | undefined, cwd: string): { profile: Profile | null; path: string | null } {
  const path = flag !== undefined && flag !== "" ? resolve(cwd, flag) : resolve(cwd, DEFAULT_PROFILE);
  if (!existsSync(path)) {
    if (flag !== undefined && flag !== "") {
      throw new GwardenError("E_PROFILE", `No profile file at \`${flag}\``, { hint: "create one with `gwarden profile -- <gunicorn command>`" });
    }
    return { profile: null, path: null };
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new GwardenError("E_PROFILE", `Cannot read the profile \`${path}\`: ${(cause as Error).message}`, { cause });
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
      { hint: "profile this app with `gwarden profile -- <its gunicorn command>`, or pass the right --profile" },
    );
  }
}

/**
 * `gunicorn --version` through the app's launcher, or null when there is none. gunicorn 20.1 run as
 * `python -m gunicorn` prints `__main__.py (version 20.1.0)`, which the adapter rejects; the version is
 * still in its error message.
 */
export async function installedVersion(argv: readonly string[]): Promise<string | null> {
  const launcher = argv.length > 0 ? parseGunicornArgv(argv).launcher : ["gunicorn"];
  try {
    return await gunicornVersion(launcher);
  } catch (error) {
    const printed = error instanceof Error ? /\(version ([^)\s]+)\)/.exec(error.message) : null;
    return printed?.[1] ?? null;
  }
}

function readMountInfo(): string | null {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return null;
  }
}

/** The user's own config to chain in the emitted conf: `-c` from the command, else ./gunicorn.conf.py. */
function userConfigFor(argv: readonly string[], cwd: string): string | null {
  const given = argv.length > 0 ? parseGunicornArgv(argv).userConfig : null;
  if (given !== null) return given.startsWith("python:") ? given : resolve(cwd, given.replace(/^file:/, ""));
  const local = resolve(cwd, "gunicorn.conf.py");
  return existsSync(local) ? local : null;
}

function render(plan: Plan, format: Format | null, explain: boolean, argv: readonly string[], cwd: string): string {
  switch (format) {
    case "conf":
      return emitConf(plan, userConfigFor(argv, cwd));
    case "args":
      return `${emitArgs(plan)}\n`;
    case "env":
      return emitEnv(plan);
    case "json":
      return emitJson(plan);
    case "k8s":
      return emitK8s(plan, argv);
    case null:
      return explain ? renderExplain(plan) : renderSummary(plan);
  }
}

export default defineCommand({
  meta: { name: "plan", description: "Plan gunicorn for this box and app: workers, threads, timeouts, recycling, DB pool, with reasons" },
  args: {
    profile: { type: "string", description: `Profile file (default ${DEFAULT_PROFILE} when present)` },
    memory: { type: "string", description: "What-if memory limit (512M, 1G)" },
    cpus: { type: "string", description: "What-if CPUs (1, 0.5)" },
    "db-on-box": { type: "boolean", description: "PostgreSQL runs on this box: plan its memory and count it" },
    "low-memory": { type: "boolean", description: "Survival over throughput (also LOW_MEMORY_MODE=true)" },
    "supervisor-outside": { type: "boolean", description: "gwarden runs outside the app's cgroup: don't count its memory" },
    "no-threads": { type: "boolean", description: "Never use gthread (the app is not thread-safe)" },
    "max-connections": { type: "string", description: "PostgreSQL max_connections (default 100)" },
    format: { type: "string", description: "Print only one format: conf, args, env, json, k8s" },
    explain: { type: "boolean", description: "Print every value with its reason and arithmetic" },
  },
  async run({ rawArgs, args }) {
    const { own, rest } = splitAtDoubleDash(rawArgs);
    const cwd = process.cwd();
    const memoryBytes = args.memory !== undefined && args.memory !== "" ? parseSize(args.memory, "--memory") : undefined;
    const cpus = cpusFlag(args.cpus);
    const format = formatFlag(args.format);
    const maxConnections = numberFlag(args["max-connections"], "--max-connections", { min: 11, integer: true });
    const { profile, path } = loadProfile(args.profile, cwd);
    if (profile !== null && path !== null) checkProfileApp(profile, rest, cwd, path);

    const mountinfo = readMountInfo();
    const resources = planResources(detectResources(), { memoryBytes, cpus }, mountinfo === null ? existsSync("/dev/shm") : isTmpfsDir(mountinfo, "/dev/shm"));
    const plan = planGunicorn({
      resources,
      profile,
      policy: defaultPolicy({
        lowMemory: args["low-memory"] === true || lowMemoryFromEnv(process.env.LOW_MEMORY_MODE),
        dbOnBox: args["db-on-box"] === true,
        supervisorInGroup: args["supervisor-outside"] !== true,
        allowThreads: args["no-threads"] !== true && !own.includes("--no-threads"),
        gunicornVersion: await installedVersion(rest),
        ...(maxConnections !== undefined ? { postgresMaxConnections: maxConnections } : {}),
        appArgv: rest,
      }),
    });
    if (format !== "json") {
      for (const c of plan.conflicts) process.stderr.write(`gwarden plan: warning: ${c.message}\n`);
    }
    process.stdout.write(render(plan, format, args.explain === true, rest, cwd));
  },
});
