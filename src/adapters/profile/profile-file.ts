/**
 * The profile file on disk: the one loader (validated by core/plan/profile-schema.ts, so a malformed or
 * hand-edited file is an E_PROFILE naming the bad field, whoever reads it: plan, run, doctor, lab) and
 * the writer `gwarden profile` uses.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { GwardenError } from "../../core/error.js";
import { parseProfile } from "../../core/plan/profile-schema.js";
import type { Profile } from "../../core/profile/types.js";

/** Reads and validates a profile file (E_PROFILE when missing, unreadable, not JSON or malformed). */
export function readProfileFile(path: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new GwardenError("E_PROFILE", `Cannot read the profile \`${path}\`: ${(cause as Error).message}`, {
      hint: "create one with `gwarden profile -- <gunicorn command>`",
      cause,
    });
  }
  return parseProfile(text, `\`${path}\``);
}

/** The profile to plan with: `flag` (must exist), else `defaultPath` when present, else null. */
export function loadProfile(
  flag: string | undefined,
  cwd: string,
  defaultPath: string,
): { profile: Profile | null; path: string | null } {
  const given = flag !== undefined && flag !== "";
  const path = resolve(cwd, given ? flag : defaultPath);
  if (!existsSync(path)) {
    if (given)
      throw new GwardenError("E_PROFILE", `No profile file at \`${flag}\``, {
        hint: "create one with `gwarden profile -- <gunicorn command>`",
      });
    return { profile: null, path: null };
  }
  return { profile: readProfileFile(path), path };
}

/** Writes the profile as pretty JSON, creating its directory (E_IO naming the file on failure). */
export function writeProfileFile(path: string, profile: Profile): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(profile, null, 2)}\n`);
  } catch (error) {
    throw new GwardenError("E_IO", `Cannot write the profile to ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
