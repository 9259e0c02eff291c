/**
 * Peak memory does not depend on which instance of an app ran first. Page cache is charged to the
 * cgroup that first reads a file, so without eviction the first lab instance of the example app pays
 * for reading its modules and the next one, finding them cached, looks lighter (11 MiB here, 35 MiB
 * reported on another box). The test starts cold (the app's files evicted, as on a freshly booted box)
 * and runs two identical instances one after the other through the lab's own runInstance.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runInstance } from "../../src/adapters/lab/instance.js";
import { launchFor, type LaunchContext } from "../../src/adapters/lab/launch.js";
import { evictAppFiles } from "../../src/adapters/lab/page-cache.js";
import type { CellResult, LabInstanceSpec } from "../../src/core/lab/types.js";
import { exampleDir, repoRoot } from "../helpers/gunicorns.js";

const MiB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), "gwarden-page-cache-"));
const ctx = {
  launcher: ["/usr/bin/gunicorn"],
  appArgs: ["--chdir", exampleDir, "app:app"],
  userConfig: null,
  env: { EXAMPLE_BALLAST_MB: "72", GWARDEN_EXAMPLE_DB: join(work, "app-{instance}.sqlite") },
  cwd: repoRoot,
  postgres: null,
} as unknown as LaunchContext;
const spec: LabInstanceSpec = {
  tierBytes: 512 * MiB,
  cpus: 1,
  config: {
    name: "default",
    kind: "default",
    workers: 1,
    threads: 1,
    preload: false,
    flags: ["-w", "1"],
    label: "1×1 sync",
  },
  scenarios: ["startup"],
  connections: 8,
  round: 1,
};
const settings = { quick: true, urls: ["/health"], healthUrl: "/health", hogUrl: null, leakUrl: null };

async function startupCell(): Promise<CellResult> {
  const { cells } = await runInstance({
    spec,
    launch: launchFor(ctx)(spec),
    settings,
    onCell: () => undefined,
    interrupted: () => false,
  });
  return cells[0]!;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the lab's peak memory", () => {
  it("is the same for two consecutive instances of the same app", async () => {
    await evictAppFiles(launchFor(ctx)(spec));
    const first = await startupCell();
    const second = await startupCell();
    expect(first.passed, first.note).toBe(true);
    expect(second.passed, second.note).toBe(true);
    expect(second.note).not.toMatch(/not evicted/);
    const [a, b] = [first.peakMemoryBytes!, second.peakMemoryBytes!];
    expect(Math.abs(a - b) / MiB, `${(a / MiB).toFixed(1)} then ${(b / MiB).toFixed(1)} MiB`).toBeLessThan(4);
  }, 120_000);
});
