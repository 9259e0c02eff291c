import { GwardenError } from "../core/error.js";

/** Splits raw CLI arguments at the first `--`: gwarden's own flags before it, the app's command after. */
export function splitAtDoubleDash(rawArgs: readonly string[]): { own: string[]; rest: string[] } {
  const at = rawArgs.indexOf("--");
  return at === -1
    ? { own: [...rawArgs], rest: [] }
    : { own: rawArgs.slice(0, at), rest: rawArgs.slice(at + 1) };
}

/** Every value of a flag that may repeat (`--url /a --url=/b`), from gwarden's own arguments. */
export function repeatedFlag(own: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const arg = own[i]!;
    if (arg === name) {
      const value = own[i + 1];
      if (value === undefined || value.startsWith("--")) {
        throw new GwardenError("E_USAGE", `Expected a value after \`${name}\``);
      }
      values.push(value);
      i++;
    } else if (arg.startsWith(`${name}=`)) {
      values.push(arg.slice(name.length + 1));
    }
  }
  return values;
}

/** A flag's number value, validated: names the flag and the bad value on error. */
export function numberFlag(
  value: string | undefined,
  name: string,
  { min = -Infinity, integer = false }: { min?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    const kind = integer ? "an integer" : "a number";
    throw new GwardenError("E_NUMBER", `Expected \`${name}\` to be ${kind} ≥ ${min}, got \`${value}\``);
  }
  return n;
}
