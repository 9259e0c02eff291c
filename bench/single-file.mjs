#!/usr/bin/env node
/**
 * The single-file gwarden (dist/gwarden, `npm run build:sea`) next to `node dist/cli.js`: its size, its
 * start time (median wall time of `--version` and of `detect --json`, each run --runs times) and what
 * `gwarden run` costs in memory and CPU (bench/supervisor-cost.mjs --run, once for each build).
 *
 *   npm run build:sea && node bench/single-file.mjs [--runs 20] [--duration 60] [--json]
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const single = join(repo, "dist", "gwarden");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    duration: { type: "string", default: "60" },
    json: { type: "boolean", default: false },
  },
});
if (!existsSync(single)) {
  console.error("dist/gwarden is missing: run `npm run build:sea` first");
  process.exit(2);
}

const builds = {
  "single file": [single],
  "node dist/cli.js": [process.execPath, join(repo, "dist", "cli.js")],
};

/** CPU time (user + system, ms) of this process's waited-for children so far: cutime + cstime of /proc/self/stat. */
function childCpuMs() {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

const median = (list) => Math.round([...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] * 10) / 10;

/** Median wall and CPU milliseconds of `argv` run `runs` times (after one warm-up run for the page cache). CPU time is what a loaded machine distorts least. */
function startMs(argv, args, runs) {
  const [command, ...prefix] = argv;
  const wall = [];
  const cpu = [];
  for (let i = 0; i <= runs; i++) {
    const c0 = childCpuMs();
    const t0 = performance.now();
    const r = spawnSync(command, [...prefix, ...args], { stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${argv.join(" ")} ${args.join(" ")} exited with ${r.status}`);
    if (i === 0) continue;
    wall.push(performance.now() - t0);
    cpu.push(childCpuMs() - c0);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

function runCost(extra) {
  const r = spawnSync(
    process.execPath,
    [join(repo, "bench", "run-cost.mjs"), "--duration", values.duration, "--json", ...extra],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(r.stdout).supervisor;
}

const runs = Number(values.runs);
const result = { node: process.version, sizeBytes: statSync(single).size, builds: {} };
for (const [name, argv] of Object.entries(builds)) {
  result.builds[name] = {
    version: startMs(argv, ["--version"], runs),
    detect: startMs(argv, ["detect", "--json"], runs),
    run: runCost(name === "single file" ? ["--gwarden", single] : []),
  };
}

if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`dist/gwarden: ${(result.sizeBytes / 1048576).toFixed(1)} MiB (Node ${result.node})`);
  const head = ["build", "--version wall/cpu", "detect wall/cpu", "run: anon", "anon max", "rss", "cpu"];
  console.log(
    `${head[0].padEnd(18)} ${head
      .slice(1, 3)
      .map((h) => h.padStart(18))
      .join(" ")} ${head
      .slice(3)
      .map((h) => h.padStart(10))
      .join(" ")}`,
  );
  for (const [name, b] of Object.entries(result.builds)) {
    const mib = (x) => `${x.toFixed(1)} MiB`;
    const ms = (t) => `${t.wallMs}/${t.cpuMs} ms`;
    const cells = [ms(b.version), ms(b.detect)].map((c) => c.padStart(18));
    const run = [
      mib(b.run.anonMiB),
      mib(b.run.anonMaxMiB),
      mib(b.run.rssMiB),
      `${b.run.cpuPercent.toFixed(2)} %`,
    ].map((c) => c.padStart(10));
    console.log(`${name.padEnd(18)} ${cells.join(" ")} ${run.join(" ")}`);
  }
}
