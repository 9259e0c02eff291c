#!/usr/bin/env node
/**
 * Adaptive control, with and without, measured in one run (issue 5). The built `gwarden run` supervises
 * the example app (gunicorn 20.1.0, faults on) inside a fresh memory cgroup that gwarden shares; load
 * comes from outside the group. Two scenarios, each run once with --no-adaptive and once with adaptive
 * control (the default):
 *
 *   spike  512 MiB: 8 × /hog?mb=120 (kept by the worker until it exits), one every 2.5 s, while 3 lanes
 *          send /health back to back. Reports OOM kills, failed /health requests, failed hog requests,
 *          /health p99 and the cgroup's peak.
 *   burst  1 GiB: 16 lanes of /sleep?s=0.3 for 15 s against the plan's 3 sync workers. Reports OOM kills,
 *          failed requests, p99, requests served and the highest worker count.
 *
 *   npm run build && npm run build:bench   # builds dist/ and dist-bench/ (the harness)
 *   node bench/adaptive.mjs [--json]
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist-bench");
const { startScenario, steadyLoad, paced, failures, sleep } = await import(
  pathToFileURL(join(dist, "bench", "harness", "adaptive-scenarios.js")).href
);
const { summarizeLoad } = await import(pathToFileURL(join(dist, "bench", "harness", "load-summary.js")).href);
const { values } = parseArgs({ options: { json: { type: "boolean" } } });
const MiB = 1048576;

async function spike(adaptive) {
  const run = await startScenario({ memoryBytes: 512 * MiB, adaptive, name: "bench-spike" });
  try {
    const health = steadyLoad(run.appPort, "/health", 3);
    const hogs = await paced(run.appPort, "/hog?mb=120", 8, 2500);
    await sleep(2000);
    const light = await health.stop();
    const summary = summarizeLoad(light, 1);
    const events = await run.events();
    return {
      scenario: "spike",
      adaptive,
      oomKills: run.sandbox.oomKills(),
      failedRequests: failures(light),
      requests: light.length,
      hogFailed: failures(hogs),
      p99Ms: summary.p99Ms,
      peakMiB: Math.round((run.sandbox.peakBytes() ?? 0) / MiB),
      recycles: events.filter((e) => e.kind === "recycle").length,
    };
  } finally {
    await run.close();
  }
}

async function burst(adaptive) {
  const run = await startScenario({ memoryBytes: 1024 * MiB, adaptive, name: "bench-burst" });
  try {
    const load = steadyLoad(run.appPort, "/sleep?s=0.3", 16);
    let maxWorkers = 0;
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      maxWorkers = Math.max(maxWorkers, (await run.workers()) ?? 0);
      await sleep(500);
    }
    const outcomes = await load.stop();
    const summary = summarizeLoad(outcomes, 15);
    return {
      scenario: "burst",
      adaptive,
      oomKills: run.sandbox.oomKills(),
      failedRequests: failures(outcomes),
      requests: outcomes.length,
      p99Ms: summary.p99Ms,
      peakMiB: Math.round((run.sandbox.peakBytes() ?? 0) / MiB),
      maxWorkers,
    };
  } finally {
    await run.close();
  }
}

const rows = [];
for (const scenario of [spike, burst])
  for (const adaptive of [false, true]) rows.push(await scenario(adaptive));

if (values.json) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  const fmt = (v) =>
    v === null || v === undefined
      ? "-"
      : typeof v === "number" && !Number.isInteger(v)
        ? v.toFixed(0)
        : String(v);
  const cols = [
    "scenario",
    "adaptive",
    "oomKills",
    "failedRequests",
    "requests",
    "hogFailed",
    "p99Ms",
    "peakMiB",
    "recycles",
    "maxWorkers",
  ];
  const table = [
    cols,
    ...rows.map((r) => cols.map((c) => fmt(c === "adaptive" ? (r.adaptive ? "on" : "off") : r[c]))),
  ];
  const widths = cols.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table)
    process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i])).join("  ")}\n`);
}
