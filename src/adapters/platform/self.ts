/**
 * How this gwarden is installed, asked in one place: a package (an npm install, or a checkout's dist/;
 * src/ under the test runner, at the same depth) or the single-file executable built with Node's
 * single executable application support (scripts/build-sea.mjs). Code that starts gwarden again (the
 * lab's `gwarden run` and `gwarden profile` children) or reads its own files asks here, so the single
 * file needs no path on disk.
 */
import { isSea } from "node:sea";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** True in the single-file executable. */
export const singleFile: boolean = isSea();

/** The directory of the running code: the package's dist/ (src/ under the test runner); null in the single file. */
export function codeDir(): string | null {
  // The bundler replaces import.meta.url in the single file, where this line is never reached.
  return singleFile ? null : fileURLToPath(new URL("../../", import.meta.url));
}

/** The package's root (package.json, dist/, and src/ in a checkout); null in the single file. */
export function packageRoot(): string | null {
  const code = codeDir();
  return code === null ? null : join(code, "..");
}

/** The argv that starts this same gwarden: `[node, <root>/dist/cli.js]`, or `[the executable]`. */
export function selfCommand(): string[] {
  const root = packageRoot();
  return root === null ? [process.execPath] : [process.execPath, join(root, "dist", "cli.js")];
}

/** The path of a built script of the package (`dist/<relative>`, run with process.execPath); null in the single file, which has none beside it. */
export function packageScript(relative: string): string | null {
  const root = packageRoot();
  return root === null ? null : join(root, "dist", relative);
}
