/**
 * `gwarden detect --json` inside nested cgroup v2 groups (runs in the VM tier's guest): the memory
 * limit is the minimum of memory.max over the chain, memory.high the minimum of its own, the sizing
 * limit the smaller of the two, and the CPU quota the minimum of cpu.max over the chain, wherever in
 * the chain each limit sits.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { repoRoot } from "../helpers/gunicorns.js";
import { chain, v2Delegated, type Chain } from "./v2-groups.js";

const MiB = 1024 * 1024;
const cli = join(repoRoot, "dist", "cli.js");
const made: Chain[] = [];
afterEach(() => made.splice(0).forEach((c) => c.remove()));

interface Detected {
  cgroup: { version: string; memoryDir: string; cpuDir: string };
  memory: { limitBytes: number | null; highBytes: number | null; sizingLimitBytes: number | null };
  cpu: { quota: number | null; effective: number };
  sources: Record<string, { source: string; reason?: string }>;
}

function detectIn(
  levels: ReadonlyArray<Readonly<Record<string, string>>>,
  name: string,
): { detected: Detected; leaf: string } {
  const c = chain(name, levels);
  made.push(c);
  const argv = c.wrap([process.execPath, cli, "detect", "--json"]);
  const out = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 120_000 });
  expect(out.stderr).toBe("");
  expect(out.status).toBe(0);
  return { detected: JSON.parse(out.stdout) as Detected, leaf: c.leaf };
}

describe.skipIf(!v2Delegated())("detect in nested cgroup v2 groups", () => {
  test("the tightest memory.max, memory.high and cpu.max win, at whatever level each sits", () => {
    const { detected, leaf } = detectIn(
      [
        { "memory.max": String(600 * MiB), "cpu.max": "150000 100000" },
        { "memory.high": String(400 * MiB) },
        { "memory.max": String(500 * MiB), "cpu.max": "50000 100000" },
      ],
      "tight-leaf",
    );
    expect(detected.cgroup).toMatchObject({ version: "v2", memoryDir: leaf, cpuDir: leaf });
    expect(detected.memory).toMatchObject({
      limitBytes: 500 * MiB,
      highBytes: 400 * MiB,
      sizingLimitBytes: 400 * MiB,
    });
    expect(detected.cpu.quota).toBe(0.5);
    expect(detected.sources["memory.limitBytes"]?.source).toBe("cgroup-v2");
  });

  test("an ancestor tighter than the leaf is found; `max` at a level is no limit there", () => {
    const { detected } = detectIn(
      [
        { "memory.max": String(300 * MiB), "cpu.max": "25000 100000" },
        { "memory.max": "max", "memory.high": String(350 * MiB) },
        { "cpu.max": "max 100000" },
      ],
      "tight-top",
    );
    expect(detected.memory).toMatchObject({
      limitBytes: 300 * MiB,
      highBytes: 350 * MiB,
      sizingLimitBytes: 300 * MiB,
    });
    expect(detected.cpu.quota).toBe(0.25);
    expect(detected.cpu.effective).toBe(0.25);
  });

  test("no limit anywhere falls back to the box: whole RAM, no quota", () => {
    const { detected } = detectIn([{}, {}], "none");
    expect(detected.cgroup.version).toBe("v2");
    expect(detected.memory.limitBytes).toBeNull();
    expect(detected.cpu.quota).toBeNull();
  });
});
