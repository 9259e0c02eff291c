/**
 * Issue 2's proof: a SimpleLogin-sized app (the example app with 72 MiB of ballast: ~110 MiB private per
 * worker) under real memory cgroups with 1 CPU, at 256 MiB, 512 MiB, 1 GiB and 2 GiB. gwarden's plan from
 * a real profile must have zero worker timeouts, zero OOM kills and zero failed requests at every tier;
 * gunicorn's common default is run beside it in the same harness, and must visibly fail at 256 MiB (so
 * the harness is known to see failures).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderTierTable } from "../../bench/harness/tier-table.js";
import type { Profile } from "../../src/core/profile/types.js";
import { runTierBench, type TierBenchRow } from "../../bench/harness/tier-bench.js";
import { exampleDir, repoRoot } from "../helpers/gunicorns.js";

const MiB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), "gwarden-tiers-"));
const env = { EXAMPLE_BALLAST_MB: "72", GWARDEN_EXAMPLE_DB: join(work, "app.sqlite") };
const appArgs = ["--chdir", exampleDir, "app:app"];
let profile: Profile;
let rows: TierBenchRow[];

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [
      join(repoRoot, "dist/cli.js"),
      "profile",
      "--url",
      "/health",
      "--url",
      "/db",
      "--out",
      join(work, "profile.json"),
      "--",
      "gunicorn",
      ...appArgs,
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  profile = JSON.parse(readFileSync(join(work, "profile.json"), "utf8")) as Profile;
  rows = await runTierBench({
    tiers: [256 * MiB, 512 * MiB, 1024 * MiB, 2048 * MiB],
    cpus: 1,
    launcher: ["gunicorn"],
    appArgs,
    env,
    profile,
    gunicornVersion: profile.gunicorn.version,
    path: "/db",
    requests: 300,
    concurrency: 4,
  });
  console.log(
    renderTierTable(
      rows.map((r) => ({
        tierBytes: r.tierBytes,
        workers: {
          default: 3,
          planned: `${r.plan.workers}×${r.plan.threads} ${r.plan.workerClass}${r.plan.preload ? " preload" : ""}`,
        },
        default: r.default,
        planned: r.planned,
      })),
    ),
  );
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the plan under real memory limits (1 CPU)", () => {
  it("profiles a SimpleLogin-sized worker", () => {
    expect(profile.worker.uss).toBeGreaterThan(90 * MiB);
  });

  it.each([256, 512, 1024, 2048])("has zero timeouts, OOM kills and failed requests at %i MiB", (tier) => {
    const row = rows.find((r) => r.tierBytes === tier * MiB)!;
    const { workerTimeouts, oomKills, failedRequests, requests, startupSeconds } = row.planned;
    expect({ workerTimeouts, oomKills, failedRequests, requests }).toEqual({
      workerTimeouts: 0,
      oomKills: 0,
      failedRequests: 0,
      requests: 300,
    });
    expect(startupSeconds).not.toBeNull();
    expect(row.plan.memory.plannedBytes).toBeLessThanOrEqual(tier * MiB);
  });

  it("sees the common default fail at 256 MiB (3 workers × ~110 MiB do not fit)", () => {
    const row = rows.find((r) => r.tierBytes === 256 * MiB)!;
    expect(row.default.oomKills).toBeGreaterThan(0);
  });
});
