/**
 * Errors for programs: with `--json`, a failing verb still prints one JSON document on stdout (the
 * contract of every verb that reports), `{"error":{"code","message","hint"}}`, beside the text on stderr.
 */
import { isGwardenError } from "../error.js";

export interface ErrorDocument {
  error: { code: string; message: string; hint: string | null };
}

/** A GwardenError's stable code, message and hint; anything else is an internal error. */
export function errorDocument(error: unknown): ErrorDocument {
  if (isGwardenError(error))
    return { error: { code: error.code, message: error.message, hint: error.hint ?? null } };
  const message = error instanceof Error ? error.message : String(error);
  return { error: { code: "E_INTERNAL", message, hint: "this is a bug in gwarden: please report it" } };
}

/** Whether gwarden's own arguments (before `--`) ask for JSON: `--json`, `--format json`, `--format=json`. */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  const own = end === -1 ? args : args.slice(0, end);
  return own.some(
    (arg, i) => arg === "--json" || arg === "--format=json" || (arg === "--format" && own[i + 1] === "json"),
  );
}
