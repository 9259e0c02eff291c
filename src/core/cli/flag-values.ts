/**
 * A flag's value checked against its declared type at the boundary, with a message that names the flag
 * and the value: sizes become bytes, durations milliseconds, numbers are bounded, enums are one of a set.
 */
import { parseDuration } from "../duration.js";
import { GwardenError } from "../error.js";
import { parseSize } from "../size.js";
import { didYouMean } from "./did-you-mean.js";
import type { FlagDecl, NumberFlag } from "./flags.js";

function numberRule(decl: NumberFlag): string {
  const kind = decl.integer === true ? "an integer" : "a number";
  const bound =
    decl.above !== undefined ? ` > ${decl.above}` : decl.min !== undefined ? ` ≥ ${decl.min}` : "";
  return `${kind}${bound}${decl.like !== undefined ? ` (like ${decl.like})` : ""}`;
}

function checkNumber(flag: string, decl: NumberFlag, text: string): number {
  const n = text.trim() === "" ? NaN : Number(text);
  const ok =
    Number.isFinite(n) &&
    (decl.integer !== true || Number.isInteger(n)) &&
    (decl.min === undefined || n >= decl.min) &&
    (decl.above === undefined || n > decl.above);
  if (!ok)
    throw new GwardenError("E_NUMBER", `Expected \`${flag}\` to be ${numberRule(decl)}, got \`${text}\``);
  return n;
}

/** The value of `--<name>` from its text; throws E_USAGE / E_NUMBER / E_SIZE / E_DURATION naming both. */
export function flagValue(name: string, decl: FlagDecl, text: string): string | number {
  const flag = `--${name}`;
  switch (decl.type) {
    case "string":
      return text;
    case "boolean":
      throw new GwardenError("E_USAGE", `\`${flag}\` takes no value, got \`${text}\``);
    case "number":
      return checkNumber(flag, decl, text);
    case "size":
      return parseSize(text, `\`${flag}\``);
    case "duration": {
      const ms = parseDuration(text, `\`${flag}\``);
      if (decl.min !== undefined && ms < parseDuration(decl.min))
        throw new GwardenError(
          "E_DURATION",
          `Expected \`${flag}\` to be at least ${decl.min}, got \`${text}\``,
        );
      return ms;
    }
    case "enum": {
      if (decl.choices.includes(text)) return text;
      const near = didYouMean(text, decl.choices);
      throw new GwardenError(
        "E_USAGE",
        `Expected \`${flag}\` to be one of ${decl.choices.join(", ")}, got \`${text}\``,
        near === null ? {} : { hint: `did you mean \`${flag} ${near}\`?` },
      );
    }
  }
}

/** How the value reads in --help and in "needs a value" messages: the placeholder, or the choices. */
export function valueName(decl: FlagDecl): string {
  if (decl.placeholder !== undefined) return decl.placeholder;
  switch (decl.type) {
    case "enum":
      return decl.choices.join("|");
    case "size":
      return "SIZE";
    case "duration":
      return "DURATION";
    case "number":
      return "N";
    case "string":
    case "boolean":
      return "VALUE";
  }
}
