/**
 * The checkout way, as the README gives it: a copy of this tree (the files git tracks or would track),
 * `npm ci`, `npm run build`, `npm install --global` of the folder into an empty prefix (what `npm link`
 * does), then every verb as `gwarden` from PATH in a directory outside the copy, with only PATH and HOME.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "vitest";
import { repoRoot } from "../helpers/gunicorns.js";
import { exerciseInstalled, npmEnv, scratch } from "./install-harness.js";

describe("a checkout", () => {
  it("builds with npm ci && npm run build, links into an empty prefix and runs every verb", async () => {
    const work = scratch("checkout");
    try {
      const tree = join(work.dir, "gwarden");
      const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
        cwd: repoRoot,
        encoding: "utf8",
      }).split("\0");
      for (const file of files.filter((f) => f !== "")) {
        mkdirSync(dirname(join(tree, file)), { recursive: true });
        cpSync(join(repoRoot, file), join(tree, file));
      }
      const home = join(work.dir, "home");
      mkdirSync(home);
      const env = npmEnv(home);
      const npm = (args: string[]) =>
        execFileSync("npm", args, { cwd: tree, env, stdio: ["ignore", "ignore", "inherit"] });
      npm(["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]);
      npm(["run", "--silent", "build"]);
      const prefix = join(work.dir, "prefix");
      npm(["install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", tree]);

      await exerciseInstalled(prefix, home, join(tree, "example"), work.dir);
    } finally {
      work.remove();
    }
  });
});
