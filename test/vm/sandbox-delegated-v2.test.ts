/**
 * The lab's v2 sandbox in a delegated subtree, as systemd's Delegate=yes hands one to a user (runs in
 * the VM tier's guest): a process running as nobody in a group it owns cannot create groups at the v2
 * root, so the sandbox goes below its own delegated ancestor, gets its limits, holds the command, and
 * is removed afterwards.
 */
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { repoRoot } from "../helpers/gunicorns.js";
import { CGROUP_ROOT, chain, v2Delegated, type Chain } from "./v2-groups.js";

const NOBODY = 65534;
const made: Chain[] = [];
afterEach(() => made.splice(0).forEach((c) => c.remove()));

/** chown -R of a group: what systemd does for a delegated unit's owner. */
function chownTree(dir: string): void {
  chownSync(dir, NOBODY, NOBODY);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) chownTree(join(dir, entry.name));
    else chownSync(join(dir, entry.name), NOBODY, NOBODY);
  }
}

describe.skipIf(!v2Delegated() || !existsSync("/usr/bin/setpriv"))(
  "cgroup v2 sandbox in a delegated subtree",
  () => {
    test("an unprivileged owner's sandbox lands under its delegated group, with its limits, and is removed", () => {
      const delegated = chain("delegated", [{}, {}]);
      made.push(delegated);
      const [top, own] = delegated.dirs as [string, string];
      chownTree(top);
      const script = `
      import { createSandbox } from ${JSON.stringify(join(repoRoot, "dist", "adapters", "sandbox", "cgroup-sandbox.js"))};
      import { spawnSync } from "node:child_process";
      const s = await createSandbox({ memoryBytes: 64 * 1024 * 1024, cpus: 0.5, name: "deleg" });
      const argv = s.wrap(["/bin/cat", "/proc/self/cgroup"]);
      const inside = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" }).stdout.trim();
      const fs = await import("node:fs");
      const limits = [fs.readFileSync(s.memoryDir + "/memory.max", "utf8").trim(), fs.readFileSync(s.memoryDir + "/cpu.max", "utf8").trim()];
      await s.remove();
      console.log(JSON.stringify({ version: s.version, dir: s.memoryDir, inside, limits, left: fs.existsSync(s.memoryDir) }));`;
      const argv = delegated.wrap([
        "/usr/bin/setpriv",
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        "--clear-groups",
        process.execPath,
        "--input-type=module",
        "-e",
        script,
      ]);
      const out = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: "/", timeout: 120_000 });
      expect(out.stderr).toBe("");
      const result = JSON.parse(out.stdout) as {
        version: string;
        dir: string;
        inside: string;
        limits: string[];
        left: boolean;
      };
      expect(result.version).toBe("v2");
      expect(result.dir.startsWith(`${top}/gwarden-deleg-`)).toBe(true);
      expect(result.inside).toBe(`0::${result.dir.slice(CGROUP_ROOT.length)}`);
      expect(result.limits).toEqual([String(64 * 1024 * 1024), "50000 100000"]);
      expect(result.left).toBe(false);
      // The owner's own group was left alone.
      expect(readFileSync(join(own, "cgroup.procs"), "utf8")).toBe("");
    });
  },
);
