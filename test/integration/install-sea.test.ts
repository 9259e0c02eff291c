/**
 * The single-file way: `scripts/build-sea.mjs` (what `npm run build:sea` runs after the build) makes
 * dist/gwarden; a copy of it alone in an empty directory runs every verb in a mount namespace where
 * Node does not exist — /usr/bin/node is an empty device, npm's global modules and this whole checkout
 * are hidden under empty tmpfs mounts — with PATH=<its dir>:/usr/bin:/bin and nothing else. So the
 * single file needs neither a Node on the machine nor a file of the checkout (it even serves the
 * dashboard from its own assets).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/gunicorns.js";
import { copyExample, exerciseVerbs, gwarden, scratch, type InstalledGwarden } from "./install-harness.js";

/** Where a Node or its modules could be found on this machine: each hidden in the namespace. */
const NODE_DIRS = ["/usr/lib/node_modules", "/usr/local/lib/node_modules", "/usr/share/nodejs"].filter((d) =>
  existsSync(d),
);
const NODE_FILES = ["/usr/bin/node", "/usr/local/bin/node"].filter((f) => existsSync(f));

/** Absolute, so the namespace works whatever PATH the command under test gets. */
const which = (name: string): string =>
  spawnSync("/bin/sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
const [UNSHARE, MOUNT] = [which("unshare"), which("mount")];

/** `unshare -m`: a private mount namespace in which Node and the checkout are gone, then exec argv. */
function withoutNode(argv: string[]): string[] {
  const hide = [
    ...NODE_FILES.map((f) => `${MOUNT} --bind /dev/null ${f}`),
    ...[...NODE_DIRS, repoRoot].map((d) => `${MOUNT} -t tmpfs gwarden-hidden ${d}`),
  ];
  return [
    UNSHARE,
    "--mount",
    "--propagation",
    "private",
    "/bin/sh",
    "-c",
    `${hide.join(" && ")} && exec "$@"`,
    "gwarden-no-node",
    ...argv,
  ];
}

const canUnshare =
  process.getuid?.() === 0 && UNSHARE !== "" && spawnSync(UNSHARE, ["--mount", "true"]).status === 0;

describe.skipIf(!canUnshare)("the single-file executable", () => {
  it("is built by scripts/build-sea.mjs and runs every verb where there is no Node and no checkout", async () => {
    execFileSync(process.execPath, [join(repoRoot, "scripts", "build-sea.mjs")], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const built = join(repoRoot, "dist", "gwarden");
    expect(statSync(built).size).toBeGreaterThan(40 * 1048576);

    const work = scratch("sea");
    try {
      const bin = join(work.dir, "bin");
      mkdirSync(bin);
      copyFileSync(built, join(bin, "gwarden"));
      execFileSync("chmod", ["755", join(bin, "gwarden")]);
      const cwd = join(work.dir, "elsewhere");
      mkdirSync(cwd);
      const g: InstalledGwarden = {
        command: ["gwarden"],
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: work.dir },
        wrap: withoutNode,
        exampleDir: copyExample(work.dir),
      };

      // The namespace really has no Node, and no checkout.
      const [unshare, ...probe] = withoutNode([
        "/bin/sh",
        "-c",
        `node --version; echo "node exit $?"; ls -A ${repoRoot} | wc -l`,
      ]);
      expect(spawnSync(unshare!, probe, { env: g.env, encoding: "utf8" }).stdout).toMatch(
        /node exit 12[67]\n0\n/,
      );

      await exerciseVerbs(g, cwd);
      // The single file has no autocannon: without wrk the lab says what to install instead of failing later.
      const noWrk = gwarden(
        { ...g, env: { ...g.env, PATH: bin } },
        ["lab", "--load", "autocannon", "--tiers", "256M", "--", "gunicorn", "app:app"],
        cwd,
      );
      expect(noWrk.code).toBe(2);
      expect(noWrk.stderr).toContain("install wrk");
    } finally {
      work.remove();
    }
  });
});
