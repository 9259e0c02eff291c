#!/usr/bin/env node
/**
 * gwarden run ÷ plain gunicorn with the identical layout (issue 10's first bar: ≥ 0.97): the example
 * app with `-w 2` sync workers in a 512 MiB / 1 CPU cgroup, gwarden inside the group as in a container,
 * wrk outside it with the same connections for both; a trivial endpoint (/health) and a database one
 * (/db, SQLite on /dev/shm). Paired and interleaved (bench/harness/overhead.ts): --instances pairs of
 * fresh instances run side by side, each paused while the other is loaded, --slices alternating slices
 * of --seconds each. Printed: the median of the slice pairs' ratios, the spread of each instance pair's
 * median, and the same ratio in CPU time per request. The groups run on core 0 and wrk on core 1
 * (`--pin app:load`, `--pin none` to let them float).
 *
 *   npm run build && npm run build:bench
 *   node bench/run-overhead.mjs [--instances 3] [--slices 10] [--seconds 2] [--connections 8]
 *                               [--paths /health,/db] [--layout "-w 2 --worker-tmp-dir /dev/shm"]
 *                               [--pin 0:1] [--gunicorn 20.1.0] [--flags=--no-adaptive] [--json]
 */
import { availableParallelism } from "node:os";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { measureOverhead } = await import(
  pathToFileURL(join(root, "dist-bench/bench/harness/overhead.js")).href
);

const { values } = parseArgs({
  options: {
    instances: { type: "string", default: "3" },
    slices: { type: "string", default: "10" },
    seconds: { type: "string", default: "2" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "8" },
    paths: { type: "string", default: "/health,/db" },
    layout: { type: "string", default: "-w 2 --worker-tmp-dir /dev/shm" },
    memory: { type: "string", default: "512" },
    cpus: { type: "string", default: "1" },
    gunicorn: { type: "string", default: "20.1.0" },
    flags: { type: "string", default: "" },
    pin: { type: "string", default: availableParallelism() > 1 ? "0:1" : "none" },
    json: { type: "boolean", default: false },
  },
});

/** The release's PYTHONPATH from .gunicorn-versions.txt (Debian's 20.1.0 needs none). */
function releaseEnv(version) {
  const list = join(root, ".gunicorn-versions.txt");
  if (version === "20.1.0" || !existsSync(list)) return {};
  const line = readFileSync(list, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${version} `));
  if (!line)
    throw new Error(`gunicorn ${version} is not unpacked (scripts/setup.sh with GWARDEN_SETUP_TEST=1)`);
  return { PYTHONPATH: line.split("PYTHONPATH=")[1].trim() };
}

function pinning(text) {
  if (text === "none") return null;
  const [app, load] = text.split(":");
  if (!app || !load) throw new Error(`--pin takes app-cores:load-cores (e.g. 0:1) or none, got ${text}`);
  return { app, load };
}

const results = [];
for (const path of values.paths.split(",")) {
  const result = await measureOverhead(
    {
      gunicorn: ["/usr/bin/python3", "-m", "gunicorn"],
      gunicornEnv: releaseEnv(values.gunicorn),
      layout: values.layout.split(" ").filter(Boolean),
      memoryBytes: Number(values.memory) * 1048576,
      cpus: Number(values.cpus),
      path,
      connections: Number(values.connections),
      warmupSeconds: Number(values.warmup),
      seconds: Number(values.seconds),
      gwardenFlags: values.flags.split(" ").filter(Boolean),
      pin: pinning(values.pin),
    },
    Number(values.instances),
    Number(values.slices),
    (t) =>
      process.stderr.write(
        `bench: ${path} ${t.config.padEnd(7)} ${t.rps.toFixed(1)} req/s, ${(t.cpuMsPerRequest * 1000).toFixed(0)} µs CPU/request${t.errors ? ` (${t.errors} errors)` : ""}\n`,
      ),
  );
  results.push(result);
}

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ layout: values.layout, gunicorn: values.gunicorn, results }, null, 2)}\n`,
  );
} else {
  const f = (n) => n.toFixed(1);
  console.log(
    `gwarden run ÷ plain gunicorn, identical layout (${values.layout}), ${values.memory} MiB / ${values.cpus} CPU${values.pin === "none" ? "" : ` on core ${values.pin.split(":")[0]}, wrk on ${values.pin.split(":")[1]}`}, gunicorn ${values.gunicorn}, ${values.instances} instance pairs × ${values.slices} alternated slices of ${values.seconds} s, ${values.connections} connections`,
  );
  console.log(
    "| endpoint | plain req/s (median; range) | gwarden run req/s (median; range) | ratio | per instance pair | CPU µs/request plain → gwarden | CPU ratio | per instance pair | gwarden's own process (of the group's CPU) | gwarden's actions | errors |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  const us = (ms) => (ms * 1000).toFixed(0);
  const range = (xs) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  for (const r of results) {
    console.log(
      `| ${r.path} | ${f(median(r.plain))} (${range(r.plain)}) | ${f(median(r.gwarden))} (${range(r.gwarden)}) | **${r.ratio.toFixed(3)}** | ${r.spread.map((x) => x.toFixed(3)).join("–")} | ${us(median(r.plainCpuMs))} → ${us(median(r.gwardenCpuMs))} | **${r.cpuRatio.toFixed(3)}** | ${r.cpuSpread.map((x) => x.toFixed(3)).join("–")} | ${(r.supervisorShare * 100).toFixed(2)} % | ${JSON.stringify(r.actions) === "{}" ? "none" : JSON.stringify(r.actions)} | ${r.errors} |`,
    );
  }
}
