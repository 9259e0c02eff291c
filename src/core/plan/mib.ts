/** MiB formatting for the arithmetic strings of plan reasons. */
import { MiB } from "../size.js";

/** `120586240` → `115`; one decimal when not whole (`25.6`). */
export function mib(bytes: number): string {
  const value = bytes / MiB;
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

/** `mib(bytes) + " MiB"`. */
export function mibText(bytes: number): string {
  return `${mib(bytes)} MiB`;
}
