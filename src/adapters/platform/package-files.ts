/**
 * The files gwarden reads at run time besides its code, by name: the dashboard (src/web/, copied to
 * dist/web/ by the build) and uPlot's browser build (from its npm package). A package reads them from
 * disk; the single-file executable carries each as a SEA asset under the same name, and
 * scripts/build-sea.mjs embeds exactly the names listed here. Add a file here (e.g. the Python half of
 * the generated gunicorn.conf.py) and both ways of shipping get it. package.json is one: `--version` reads it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { getAsset } from "node:sea";
import { codeDir } from "./self.js";

/** A file of our own, beside the running code: dist/<path> (the build copies it), src/<path> under the test runner. */
const own = (path: string) => (code: string) => join(code, path);
/** A file of a runtime dependency, resolved as Node resolves it (hoisted or nested). */
const dependency = (specifier: string) => (code: string) =>
  createRequire(join(code, "cli.js")).resolve(specifier);

/** Name → where the file is in a package. */
const FILES = {
  "package.json": own("../package.json"),
  "web/index.html": own("web/index.html"),
  "web/dashboard.js": own("web/dashboard.js"),
  "web/dashboard.css": own("web/dashboard.css"),
  "web/dashboard-charts.js": own("web/dashboard-charts.js"),
  "web/favicon.svg": own("web/favicon.svg"),
  "uplot/uPlot.iife.min.js": dependency("uplot/dist/uPlot.iife.min.js"),
  "uplot/uPlot.min.css": dependency("uplot/dist/uPlot.min.css"),
} satisfies Record<string, (code: string) => string>;

export type PackageFile = keyof typeof FILES;

/** Every name, for the single-file build. */
export const PACKAGE_FILES = Object.keys(FILES) as PackageFile[];

/** Where `name` is on disk for the code in `code` (dist/ or src/); the single-file build reads it from there. */
export function packageFilePath(name: PackageFile, code: string): string {
  return FILES[name](code);
}

/** The text of `name`: from the single file's assets, or from the package on disk. Throws when it is missing. */
export function packageText(name: PackageFile): string {
  const code = codeDir();
  return code === null ? getAsset(name, "utf8") : readFileSync(packageFilePath(name, code), "utf8");
}
