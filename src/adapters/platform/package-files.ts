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
import { RUNTIME_MODULES } from "../../core/conf/python-runtime.js";
import { codeDir } from "./self.js";

/** A file of our own, beside the running code: dist/<path> (the build copies it), src/<path> under the test runner. */
const own = (path: string) => (code: string) => join(code, path);
/** A file of a runtime dependency, resolved as Node resolves it (hoisted or nested). */
const dependency = (specifier: string) => (code: string) =>
  createRequire(join(code, "cli.js")).resolve(specifier);

/** The Python runtime every generated gunicorn.conf.py embeds (src/python/, copied to dist/python/). */
const PYTHON = Object.fromEntries(
  ["gwarden_loader.py", ...RUNTIME_MODULES.map((m) => `gwarden_runtime/${m}.py`)].map((path) => [
    `python/${path}`,
    own(`python/${path}`),
  ]),
);

/** Name → where the file is in a package. */
const NAMED = {
  "package.json": own("../package.json"),
  "web/index.html": own("web/index.html"),
  "web/dashboard.js": own("web/dashboard.js"),
  "web/dashboard.css": own("web/dashboard.css"),
  "web/dashboard-charts.js": own("web/dashboard-charts.js"),
  "web/favicon.svg": own("web/favicon.svg"),
  "uplot/uPlot.iife.min.js": dependency("uplot/dist/uPlot.iife.min.js"),
  "uplot/uPlot.min.css": dependency("uplot/dist/uPlot.min.css"),
} satisfies Record<string, (code: string) => string>;

export type PackageFile = keyof typeof NAMED | `python/${string}`;

const FILES: Record<string, (code: string) => string> = { ...PYTHON, ...NAMED };

/** Every name, for the single-file build. */
export const PACKAGE_FILES = Object.keys(FILES) as PackageFile[];

/** Where `name` is on disk for the code in `code` (dist/ or src/); the single-file build reads it from there. */
export function packageFilePath(name: PackageFile, code: string): string {
  const where = FILES[name];
  if (where === undefined) throw new Error(`${name} is not a file of gwarden's package`);
  return where(code);
}

/** The text of `name`: from the single file's assets, or from the package on disk. Throws when it is missing. */
export function packageText(name: PackageFile): string {
  const code = codeDir();
  return code === null ? getAsset(name, "utf8") : readFileSync(packageFilePath(name, code), "utf8");
}
