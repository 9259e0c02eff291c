/**
 * The requests `profile` and `lab` send, from their flags: `--requests FILE` (a `.http` request list)
 * and `--url` (with `--data` and `--header` after it); GET / when none is given.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { GwardenError } from "../core/error.js";
import {
  getRequest,
  parseRequestFile,
  requestsFromFlags,
  type RequestSpec,
} from "../core/profile/request-spec.js";
import { repeatedFlag } from "./argv.js";

function reader(base: string): (path: string) => string {
  return (path) => {
    const full = resolve(base, path);
    try {
      return readFileSync(full, "utf8");
    } catch (error) {
      throw new GwardenError("E_USAGE", `Cannot read ${full}: ${(error as Error).message}`, { cause: error });
    }
  };
}

/** Help text shared by the verbs that take requests. */
export const REQUEST_FLAGS_HELP = {
  url: "Request to send: a path (GET) or 'METHOD /path', repeatable (default /)",
  data: "Body of the --url before it: text or @file (makes a bare --url a POST)",
  header: "Header of the --url before it, 'Name: value', repeatable",
  requests: "A request list (.http format: METHOD /path, headers, blank line, body; ### between requests)",
};

/** Every request the flags describe, in order: the --requests files first. */
export function requestsFromArgs(own: readonly string[], cwd: string): RequestSpec[] {
  const fromFiles = repeatedFlag(own, "--requests").flatMap((file) => {
    const path = resolve(cwd, file);
    return parseRequestFile(reader(cwd)(file), reader(dirname(path)), file);
  });
  const all = [...fromFiles, ...requestsFromFlags(own, reader(cwd))];
  return all.length > 0 ? all : [getRequest("/")];
}
