/**
 * gwarden's exit statuses, one table for the code, `gwarden --help`, README.md and
 * docs/troubleshooting.md (a test checks that both documents list every one).
 */
export const EXIT = {
  ok: 0,
  /** Something failed: a profile from another app, a gunicorn that would not start, a file unreadable. */
  failure: 1,
  /** Bad usage: an unknown flag, a missing or malformed value, a stray argument. */
  usage: 2,
  /** `doctor` found at least one finding of severity error: the box will fail as configured. */
  doctorErrors: 3,
  /** A bug in gwarden (the message carries a stack trace). */
  internal: 70,
} as const;

/** The table as `gwarden --help` prints it. */
export const EXIT_CODE_LINES: ReadonlyArray<readonly [number, string]> = [
  [EXIT.ok, "success"],
  [EXIT.failure, "failure (the message says what failed and a hint what to do)"],
  [EXIT.usage, "bad usage: unknown flag, missing or malformed value"],
  [EXIT.doctorErrors, "doctor: a finding of severity error (the box will fail as configured)"],
  [EXIT.internal, "internal error (a bug: please report it with the message)"],
];
