/**
 * The lines of a log to analyze, streamed (files of any size): a file, or stdin for `-`. A file that
 * cannot be read is an E_IO naming it.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { GwardenError } from "../../core/error.js";

async function openInput(name: string): Promise<Readable> {
  if (name === "-") return process.stdin;
  try {
    const info = await stat(name);
    if (info.isDirectory()) throw new GwardenError("E_IO", `Cannot read \`${name}\`: it is a directory`);
  } catch (error) {
    if (error instanceof GwardenError) throw error;
    throw new GwardenError(
      "E_IO",
      `Cannot read \`${name}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
  return createReadStream(name);
}

/** Calls `onLine` for every line of the input; returns the line count. */
export async function readLogLines(name: string, onLine: (line: string) => void): Promise<number> {
  const lines = createInterface({ input: await openInput(name), crlfDelay: Infinity });
  let count = 0;
  try {
    for await (const line of lines) {
      count++;
      onLine(line);
    }
  } catch (error) {
    throw new GwardenError(
      "E_IO",
      `Cannot read \`${name === "-" ? "stdin" : name}\`: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return count;
}
