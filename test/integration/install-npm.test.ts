/**
 * The npm way: `npm pack`, `npm install -g` of the tarball into an empty prefix, and every verb run as
 * `gwarden` from PATH in a directory outside the checkout, with only PATH and HOME set; `npx` of the
 * tarball too. The package carries the dashboard, the example app and the docs, and no devDependency.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/gunicorns.js";
import { exerciseInstalled, gwarden, npmEnv, packageVersion, scratch } from "./install-harness.js";

describe("the npm package", () => {
  it("installs from its tarball into an empty prefix and runs every verb; npx runs the tarball", async () => {
    const work = scratch("npm");
    try {
      const packDir = join(work.dir, "pack");
      mkdirSync(packDir);
      // --ignore-scripts: pack the dist/ the suite was built with (prepack would rebuild it under the other tests).
      execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir], {
        cwd: repoRoot,
        stdio: "ignore",
      });
      const tarball = join(packDir, `gwarden-${packageVersion}.tgz`);
      const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
      for (const f of [
        "dist/cli.js",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/web/index.html",
        "example/app.py",
        "docs/kubernetes/pod.yaml",
        "README.md",
      ]) {
        expect(files).toContain(`package/${f}`);
      }
      expect(
        files.filter(
          (f) =>
            f.endsWith(".map") ||
            f === "package/dist/gwarden" ||
            f.startsWith("package/dist/sea/") ||
            f.includes("/src/"),
        ),
      ).toEqual([]);

      const prefix = join(work.dir, "prefix");
      const home = join(work.dir, "home");
      mkdirSync(home);
      const env = npmEnv(home);
      execFileSync(
        "npm",
        ["install", "--global", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", tarball],
        { env, stdio: "ignore" },
      );
      const installed = join(prefix, "lib", "node_modules", "gwarden");
      const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
        devDependencies: Record<string, string>;
      };
      const modules = existsSync(join(installed, "node_modules"))
        ? readdirSync(join(installed, "node_modules"))
        : [];
      expect(modules.filter((m) => m in pkg.devDependencies)).toEqual([]);

      await exerciseInstalled(prefix, home, join(installed, "example"), work.dir);

      const npx = gwarden(
        { command: ["npx", "--yes", `./gwarden-${packageVersion}.tgz`], env, exampleDir: "" },
        ["--version"],
        packDir,
      );
      expect(npx.stdout.trim(), npx.stderr).toBe(packageVersion);
    } finally {
      work.remove();
    }
  });
});
