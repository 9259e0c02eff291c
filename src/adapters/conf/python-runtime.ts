/**
 * Reads the Python runtime (src/python/: gwarden_loader.py and the package gwarden_runtime/) for the
 * conf renderer, from the installed tree: dist/python/ after the build (package.json's build script
 * copies it there), src/python/ in a checkout that was only compiled. Every file is read by
 * `readRuntimeFile`; the single-file executable reads the same names from its SEA assets.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GwardenError } from "../../core/error.js";
import { packageText } from "../platform/package-files.js";
import { singleFile } from "../platform/self.js";
import {
  RUNTIME_MODULES,
  type PythonRuntime,
  type RuntimeModuleName,
} from "../../core/conf/python-runtime.js";

/**
 * Where the runtime is: the nearest `python/` beside this module's tree (src/python from
 * src/adapters/conf, dist/python from dist/adapters/conf), else the checkout's src/python (a tree
 * compiled by tsc alone, such as dist-bench/).
 */
function candidates(): string[] {
  const out: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    out.push(join(dir, "python"), join(dir, "src", "python"));
    dir = dirname(dir);
  }
  return out;
}

/** One file of the runtime, by its path under src/python/ (e.g. `gwarden_runtime/hooks.py`). */
export function readRuntimeFile(relative: string): string {
  // The single file carries the runtime as SEA assets (src/adapters/platform/package-files.ts).
  if (singleFile) return packageText(`python/${relative}`);
  const roots = candidates();
  const root = roots.find((r) => existsSync(join(r, "gwarden_loader.py")));
  if (root === undefined || !existsSync(join(root, relative))) {
    throw new GwardenError("E_INTERNAL", `gwarden's Python runtime file ${relative} is missing`, {
      hint: `looked for python/gwarden_loader.py above ${roots[0]}; reinstall gwarden, or run \`npm run build\` in a checkout`,
    });
  }
  return readFileSync(join(root, relative), "utf8");
}

let cached: PythonRuntime | null = null;

/** The runtime's sources (read once per process). */
export function pythonRuntime(): PythonRuntime {
  if (cached === null) {
    const modules = {} as Record<RuntimeModuleName, string>;
    for (const name of RUNTIME_MODULES) modules[name] = readRuntimeFile(`gwarden_runtime/${name}.py`);
    cached = { loader: readRuntimeFile("gwarden_loader.py"), modules };
  }
  return cached;
}
