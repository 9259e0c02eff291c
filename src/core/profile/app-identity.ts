/**
 * Which app a profile belongs to. `profile` stamps a fingerprint on the profile; `plan` and `run`
 * recompute it from their own command line and refuse a profile measured on another app.
 */
import { parseGunicornArgv } from "../argv/gunicorn-argv.js";

export { parseGunicornArgv, managedValue } from "../argv/gunicorn-argv.js";
export type { GunicornCommand, ManagedFlag, ManagedName } from "../argv/gunicorn-argv.js";

export interface AppIdentity {
  /** `module:callable`, with gunicorn's default callable made explicit (`app` → `app:application`). */
  spec: string;
  /** Absolute, normalised directory the app is imported from (`--chdir` resolved against cwd). */
  chdir: string;
  /** Short stable hash of spec + chdir. */
  fingerprint: string;
}

/** Resolves `path` against the absolute `base` and normalises `.`/`..`/`//` (POSIX, pure). */
export function resolvePosix(base: string, path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith("/") ? path : `${base}/${path}`).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
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

/** The identity of the app a gunicorn command line runs, from the directory it is run in. */
export function appIdentity(argv: readonly string[], cwd: string): AppIdentity {
  const command = parseGunicornArgv(argv);
  const raw = command.spec ?? `config:${command.userConfig ?? "gunicorn.conf.py"}`;
  const spec = command.spec !== null && !raw.includes(":") ? `${raw}:application` : raw;
  const chdir = resolvePosix(cwd, command.chdir ?? ".");
  return { spec, chdir, fingerprint: fnv1a64(`${spec}\n${chdir}`) };
}
