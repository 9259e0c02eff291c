import { readFileSync } from "node:fs";

/**
 * gwarden's version, from its own package.json: three levels above this file both in src/adapters/cli/
 * and in dist/adapters/cli/, so it is right in a checkout and in an installed package alike.
 */
export function packageVersion(path: URL = new URL("../../../package.json", import.meta.url)): string {
  const { version } = JSON.parse(readFileSync(path, "utf8")) as { version?: unknown };
  return typeof version === "string" ? version : "unknown";
}
