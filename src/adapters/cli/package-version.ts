import { packageText } from "../platform/package-files.js";

/**
 * gwarden's version, from its own package.json: beside dist/ (or src/ under the test runner) in a checkout
 * and in an installed package, and a SEA asset of the single-file executable.
 */
export function packageVersion(): string {
  const { version } = JSON.parse(packageText("package.json")) as { version?: unknown };
  return typeof version === "string" ? version : "unknown";
}
