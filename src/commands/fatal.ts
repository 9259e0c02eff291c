import { errorDocument } from "../core/cli/error-document.js";
import { EXIT } from "../core/cli/exit-codes.js";
import { isGwardenError } from "../core/error.js";

/**
 * Prints an error the way people should see it (message, hint, stable code; a stack only for bugs) and
 * returns the exit status. With `--json` (`writeJson` given) it is also printed for programs, as one
 * `{"error":{"code","message","hint"}}` document on stdout.
 */
export function reportFatal(
  error: unknown,
  write: (text: string) => void = (t) => process.stderr.write(t),
  writeJson: ((text: string) => void) | null = null,
): number {
  writeJson?.(`${JSON.stringify(errorDocument(error))}\n`);
  if (isGwardenError(error)) {
    write(`gwarden: ${error.message}\n`);
    if (error.hint) write(`  hint: ${error.hint}\n`);
    write(`  code: ${error.code}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`gwarden: internal error: ${text}\n`);
  return EXIT.internal;
}
