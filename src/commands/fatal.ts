import { isGwardenError } from "../core/error.js";

/** Prints an error the way people should see it (message, hint, stable code; a stack only for bugs); returns the exit code. */
export function reportFatal(
  error: unknown,
  write: (text: string) => void = (t) => process.stderr.write(t),
): number {
  if (isGwardenError(error)) {
    write(`gwarden: ${error.message}\n`);
    if (error.hint) write(`  hint: ${error.hint}\n`);
    write(`  code: ${error.code}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`gwarden: internal error: ${text}\n`);
  return 70;
}
