/**
 * The one error class of gwarden. `code` is stable (scripts and tests match on it); `message` is for
 * people and names the bad value; `hint` says what to do about it. Underlying errors travel as `cause`.
 */
export type ErrorCode =
  | "E_USAGE" // bad command-line input
  | "E_SIZE" // a size that cannot be parsed ("512Q")
  | "E_DURATION" // a duration that cannot be parsed
  | "E_NUMBER" // a number out of range (negative CPUs)
  | "E_PROFILE" // profile file missing, malformed, or from another app
  | "E_GUNICORN_MISSING" // no gunicorn to run
  | "E_APP_IMPORT" // the app does not import
  | "E_APP_URL" // a warm-up URL failed
  | "E_BOOT" // gunicorn did not come up
  | "E_CGROUP" // a cgroup could not be created or used
  | "E_IO" // a file that had to be read or written could not be
  | "E_LISTEN" // the HTTP endpoint could not bind
  | "E_FLAPPING" // gunicorn keeps dying right after start
  | "E_INTERNAL";

export interface GwardenErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Exit status the CLI should use (default 2 for usage errors, 1 otherwise). */
  exitCode?: number;
  /** Extra structured data (e.g. the app's traceback). */
  details?: Record<string, unknown>;
}

export class GwardenError extends Error {
  override readonly name = "GwardenError";
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: GwardenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode =
      options.exitCode ??
      (code === "E_USAGE" || code === "E_SIZE" || code === "E_NUMBER" || code === "E_DURATION" ? 2 : 1);
    this.details = options.details;
  }
}

export function isGwardenError(value: unknown): value is GwardenError {
  return value instanceof GwardenError;
}
