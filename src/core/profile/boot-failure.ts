/**
 * Why gunicorn went away before its workers were ready, told from its exit and the tail of its
 * stderr: the app did not import (E_APP_IMPORT, with the traceback's tail), or gunicorn itself could
 * not start (E_BOOT: a bind error, a bad flag, a bad config).
 */
import { GwardenError } from "../error.js";

export interface BootExit {
  code: number | null;
  signal: string | null;
}

const IMPORT_MARKERS = [
  /Traceback \(most recent call last\)/,
  /Worker failed to boot/,
  /Error while loading the application/,
  /App failed to load/,
  /Failed to find (attribute|application object)/,
  /ModuleNotFoundError|ImportError/,
];

/** The last `lines` non-empty lines of a text. */
export function tailLines(text: string, lines: number): string {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-lines)
    .join("\n");
}

/** The most telling line of a traceback: the last `SomethingError: message` line, if any. */
export function errorLine(text: string): string | null {
  const found = text
    .split("\n")
    .filter((line) => /^\s*[\w.]+(Error|Exception|Exit)\b.*:/.test(line) || /^\s*Error: /.test(line));
  return found.length > 0 ? found[found.length - 1]!.trim() : null;
}

function describeExit(exit: BootExit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? "unknown"}`;
}

/** The GwardenError for a gunicorn that exited before it was ready. */
export function bootFailure(exit: BootExit, stderrTail: string, what: string): GwardenError {
  const tail = tailLines(stderrTail, 15);
  const line = errorLine(stderrTail);
  const details = { exit, stderrTail: tail };
  if (IMPORT_MARKERS.some((marker) => marker.test(stderrTail))) {
    return new GwardenError(
      "E_APP_IMPORT",
      `The app did not import (${what}): ${line ?? `gunicorn ${describeExit(exit)}`}\n${tail}`,
      {
        hint: "run the same gunicorn command by hand to see the whole traceback; check --chdir, the module:callable and the environment",
        details,
      },
    );
  }
  return new GwardenError(
    "E_BOOT",
    `gunicorn ${describeExit(exit)} before it was ready (${what})${tail === "" ? "" : `:\n${tail}`}`,
    {
      hint: "check the gunicorn arguments and the user config (-c)",
      details,
    },
  );
}

/** The GwardenError for a gunicorn still not ready at its deadline (a hanging import, a stuck worker). */
export function bootTimeout(seconds: number, stderrTail: string, what: string): GwardenError {
  const tail = tailLines(stderrTail, 10);
  return new GwardenError(
    "E_BOOT",
    `gunicorn was not ready within ${seconds} s (${what})${tail === "" ? "" : `; last output:\n${tail}`}`,
    {
      hint: "the app's import may hang (a DB connect at import, a deadlock); raise --boot-timeout if it is only slow",
      details: { stderrTail: tail },
    },
  );
}
