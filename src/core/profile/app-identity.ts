/**
 * Which app a profile belongs to. `profile` stamps a fingerprint on the profile; `plan` and `run`
 * recompute it from their own command line and refuse a profile measured on another app, saying what
 * differs: the app (`module:callable`) or where it is imported from.
 */
import { parseGunicornArgv } from "../argv/gunicorn-argv.js";
import { resolvePosix } from "../posix-path.js";

export { parseGunicornArgv, managedValue } from "../argv/gunicorn-argv.js";
export type { GunicornCommand, ManagedFlag, ManagedName } from "../argv/gunicorn-argv.js";
export { resolvePosix } from "../posix-path.js";

export interface AppIdentity {
  /** `module:callable`, with gunicorn's default callable made explicit (`app` → `app:application`). */
  spec: string;
  /** Absolute, normalised directory gunicorn runs in (`--chdir` resolved against cwd). */
  chdir: string;
  /**
   * Where the app is imported from: the `--pythonpath` entries (resolved against chdir; gunicorn puts
   * them first on sys.path) when given, else chdir. An absolute --pythonpath or --chdir therefore names
   * the same app from any working directory.
   */
  where: string;
  /** Short stable hash of spec + where. */
  fingerprint: string;
}

/** FNV-1a, 64 bits, as 16 hex digits: stable across runs and machines. */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

/** The last `--pythonpath` value of a gunicorn command (gunicorn keeps the last), or null. */
function pythonpathOf(args: readonly string[]): string | null {
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--pythonpath") value = args[i + 1] ?? null;
    else if (arg.startsWith("--pythonpath=")) value = arg.slice("--pythonpath=".length);
  }
  return value;
}

/** The identity of the app a gunicorn command line runs, from the directory it is run in. */
export function appIdentity(argv: readonly string[], cwd: string): AppIdentity {
  const command = parseGunicornArgv(argv);
  const raw = command.spec ?? `config:${command.userConfig ?? "gunicorn.conf.py"}`;
  const spec = command.spec !== null && !raw.includes(":") ? `${raw}:application` : raw;
  const chdir = resolvePosix(cwd, command.chdir ?? ".");
  const pythonpath = (pythonpathOf(command.args) ?? "")
    .split(",")
    .filter((p) => p.trim() !== "")
    .map((p) => resolvePosix(chdir, p.trim()));
  const where = pythonpath.length > 0 ? pythonpath.join(",") : chdir;
  return { spec, chdir, where, fingerprint: fnv1a64(`${spec}\n${where}`) };
}

/** What a profile says about its app (`where` is missing in profiles made before it was recorded). */
export interface ProfiledApp {
  spec: string;
  chdir: string | null;
  where?: string | undefined;
}

/** Why a profile does not belong to the app of this command: what differs, in words. */
export function appMismatch(profiled: ProfiledApp, identity: AppIdentity): string {
  if (profiled.spec !== identity.spec) {
    const dirs =
      profiled.where !== undefined && profiled.where !== identity.where
        ? ` (imported from ${profiled.where}; this command imports from ${identity.where})`
        : "";
    return `was measured on \`${profiled.spec}\`, not on \`${identity.spec}\`${dirs}`;
  }
  if (profiled.where !== undefined) {
    // A single directory can be given back as --chdir; a --pythonpath list cannot.
    const fix = profiled.where.includes(",") ? "" : ` (give \`--chdir ${profiled.where}\`, or run it there)`;
    return `was measured on \`${profiled.spec}\` imported from ${profiled.where}, but this command imports it from ${identity.where}${fix}`;
  }
  return `was measured on \`${profiled.spec}\` imported from another directory than ${identity.where}${profiled.chdir !== null ? ` (--chdir ${profiled.chdir} then)` : ""}`;
}
