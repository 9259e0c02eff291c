#!/usr/bin/env node
// Builds the single-file gwarden for Linux x86-64 (`npm run build:sea`, after `npm run build`):
// dist/cli.js and everything it imports are bundled by esbuild into one CommonJS script (what Node 20's
// single executable application support runs), the files gwarden reads at run time are added as SEA
// assets under the names src/adapters/platform/package-files.ts lists, and the blob is injected with
// postject into a copy of the Node binary running this script (stripped of its debug symbols first,
// when `strip` is installed: −12 MB, and stripping after injection would break it). Output:
// dist/gwarden, then checked by running `dist/gwarden --version`.
//   GWARDEN_SEA_CODE_CACHE=1  embed V8's code cache (faster start, more memory; see docs/install.md)
import { execFileSync } from "node:child_process";
import { copyFileSync, chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const work = join(dist, "sea");
const output = join(dist, "gwarden");
// The fuse postject flips so the binary looks for its blob (the value Node's documentation gives).
const FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

if (process.platform !== "linux" || process.arch !== "x64") {
  console.warn(
    `build-sea: built for ${process.platform}-${process.arch}, not the linux-x64 this is meant for`,
  );
}
const { PACKAGE_FILES, packageFilePath } = await import(
  join(dist, "adapters", "platform", "package-files.js")
);
const { build } = await import("esbuild");

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// 1. One CommonJS script. Lazy `import()`s of the verbs become lazily initialised modules, so `run` still
//    evaluates only what it uses. import.meta.url is only read when the code is not the single file
//    (src/adapters/platform/self.ts), so a placeholder stands in for it.
const script = join(work, "gwarden.cjs");
await build({
  entryPoints: [join(dist, "cli.js")],
  outfile: script,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  define: { "import.meta.url": JSON.stringify("file:///gwarden-single-file/adapters/platform/self.js") },
  legalComments: "none",
  logLevel: "warning",
});

// 2. The blob: the script and the assets.
const assets = Object.fromEntries(PACKAGE_FILES.map((name) => [name, packageFilePath(name, dist)]));
const blob = join(work, "sea-prep.blob");
const config = join(work, "sea-config.json");
writeFileSync(
  config,
  `${JSON.stringify(
    {
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: process.env.GWARDEN_SEA_CODE_CACHE === "1",
      useSnapshot: false,
      assets,
    },
    null,
    2,
  )}\n`,
);
execFileSync(process.execPath, ["--experimental-sea-config", config], {
  stdio: ["ignore", "ignore", "inherit"],
});

// 3. A copy of this Node, stripped, with the blob injected.
rmSync(output, { force: true });
copyFileSync(process.execPath, output);
chmodSync(output, 0o755);
let stripped = false;
try {
  execFileSync("strip", ["--strip-all", output], { stdio: "ignore" });
  stripped = true;
} catch {
  console.warn("build-sea: `strip` not found (binutils): the executable keeps Node's debug symbols (+12 MB)");
}
const postject = join(dirname(createRequire(import.meta.url).resolve("postject")), "cli.js");
execFileSync(process.execPath, [postject, output, "NODE_SEA_BLOB", blob, "--sentinel-fuse", FUSE], {
  stdio: "ignore",
});

// 4. It runs, and it is the version of this package.
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const reported = execFileSync(output, ["--version"], { encoding: "utf8" }).trim();
if (reported !== version)
  throw new Error(`build-sea: dist/gwarden --version says ${reported}, expected ${version}`);
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
console.log(
  `build-sea: ${relative(root, output)} ${mib(statSync(output).size)} (Node ${process.version}${stripped ? ", stripped" : ""}; script ${mib(statSync(script).size)}, ${PACKAGE_FILES.length} assets)`,
);
