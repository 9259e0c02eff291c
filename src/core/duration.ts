import { GwardenError } from "./error.js";

const FACTORS: Record<string, number> = { ms: 1, s: 1000, "": 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** Parses `500ms`, `2s`, `1.5m`, `1h`, or a plain number of seconds, into milliseconds. */
export function parseDuration(text: string, what = "duration"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/.exec(text);
  const factor = match ? FACTORS[match[2] ?? ""] : undefined;
  if (!match || factor === undefined) {
    throw new GwardenError("E_DURATION", `Expected ${what} like 2s, 500ms or 1m, got \`${text}\``);
  }
  return Math.round(Number(match[1]) * factor);
}
