/** Event times are ISO 8601 strings; this orders and subtracts them. */

/** Milliseconds since the epoch of an ISO 8601 time, or undefined. */
export function msOf(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const value = Date.parse(time);
  return Number.isFinite(value) ? value : undefined;
}
