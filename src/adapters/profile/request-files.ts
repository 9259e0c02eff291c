/**
 * The requests `profile` and `lab` send, from their flags: `--requests FILE` (a `.http` request list,
 * whose bodies may live in files beside it) and `--url` with the `--data` and `--header` after it, in
 * command-line order (src/core/profile/request-spec.ts); GET / when none is given.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { GwardenError } from "../../core/error.js";
import {
  getRequest,
  parseRequestFile,
  requestsFromFlags,
  type RequestSpec,
} from "../../core/profile/request-spec.js";

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

/**
 * Every request the flags describe: the `--requests` files first, then `--url`/`--data`/`--header` as
 * they come in `own` (gwarden's own arguments, before `--`), relative paths against `cwd`.
 */
export function requestsFromArgs(
  own: readonly string[],
  requestFiles: readonly string[],
  cwd: string,
): RequestSpec[] {
  const fromFiles = requestFiles.flatMap((file) =>
    parseRequestFile(reader(cwd)(file), reader(dirname(resolve(cwd, file))), file),
  );
  const all = [...fromFiles, ...requestsFromFlags(own, reader(cwd))];
  return all.length > 0 ? all : [getRequest("/")];
}
