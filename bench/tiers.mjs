#!/usr/bin/env node
// Tier benchmark (issue 2): the example app, SimpleLogin-sized (EXAMPLE_BALLAST_MB=72), inside real memory
// cgroups with a CPU quota, run with gunicorn's common default and with gwarden's plan from a real profile,
// under the same fixed load. Prints one table with planned ÷ default ratios. Needs root and cgroup v1/v2.
//   node bench/tiers.mjs [--tiers 256M,512M,1G,2G] [--cpus 1] [--requests 1000] [--concurrency 8] [--path /db]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { runTierBench } = await import(join(root, "dist-bench/bench/harness/tier-bench.js"));
const { renderTierTable } = await import(join(root, "dist-bench/bench/harness/tier-table.js"));
const { parseSize } = await import(join(root, "dist/core/size.js"));

const { values } = parseArgs({
  options: {
    tiers: { type: "string", default: "256M,512M,1G,2G" },
    cpus: { type: "string", default: "1" },
    requests: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
    path: { type: "string", default: "/db" },
    ballast: { type: "string", default: "72" },
  },
});

const work = mkdtempSync(join(tmpdir(), "gwarden-bench-"));
const env = { EXAMPLE_BALLAST_MB: values.ballast, GWARDEN_EXAMPLE_DB: join(work, "app.sqlite") };
const appArgs = ["--chdir", join(root, "example"), "app:app"];
try {
  process.stderr.write("bench: profiling the example app\n");
  execFileSync(
    process.execPath,
    [
      join(root, "dist/cli.js"),
      "profile",
      "--url",
      "/health",
      "--url",
      values.path,
      "--out",
      join(work, "profile.json"),
      "--",
      "gunicorn",
      ...appArgs,
    ],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const profile = JSON.parse(readFileSync(join(work, "profile.json"), "utf8"));
  const rows = await runTierBench({
    tiers: values.tiers.split(",").map((t) => parseSize(t)),
    cpus: Number(values.cpus),
    launcher: ["gunicorn"],
    appArgs,
    env,
    profile,
    gunicornVersion: profile.gunicorn.version,
    path: values.path,
    requests: Number(values.requests),
    concurrency: Number(values.concurrency),
    onTrial: (t) =>
      process.stderr.write(
        `bench: ${Math.round(t.tierBytes / 1048576)} MiB ${t.config}: ${t.failedRequests} failed, ${t.oomKills} OOM kills, ${t.rps} req/s\n`,
      ),
  });
  console.log(
    `Example app, ${values.ballast} MiB ballast (worker USS ${Math.round(profile.worker.uss / 1048576)} MiB), gunicorn ${profile.gunicorn.version}, ${values.cpus} CPU, ${values.requests} × GET ${values.path} at concurrency ${values.concurrency}\n`,
  );
  console.log(
    renderTierTable(
      rows.map((r) => ({
        tierBytes: r.tierBytes,
        workers: {
          default: r.default.config === "default" ? 2 * Number(values.cpus) + 1 : 0,
          planned: `${r.plan.workers}×${r.plan.threads} ${r.plan.workerClass}${r.plan.preload ? " preload" : ""}`,
        },
        default: r.default,
        planned: r.planned,
      })),
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
