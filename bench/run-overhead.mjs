#!/usr/bin/env node
/**
 * gwarden run ÷ plain gunicorn with the identical layout (issue 10's first bar: ≥ 0.97): the example
 * app with `-w 2` sync workers in a 512 MiB / 1 CPU cgroup, gwarden inside the group as in a container,
 * wrk outside it with the same connections for both; a trivial endpoint (/health) and a database one
 * (/db, SQLite). Configs alternate (A B, B A, …), medians of --rounds trials each, the ratio with the
 * spread of the per-round ratios.
 *
 *   npm run build && npm run build:bench
 *   node bench/run-overhead.mjs [--rounds 3] [--seconds 8] [--connections 8] [--paths /health,/db]
 *                               [--layout "-w 2 --worker-tmp-dir /dev/shm"] [--gunicorn 20.1.0] [--json]
 */
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
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "8" },
    paths: { type: "string", default: "/health,/db" },
    layout: { type: "string", default: "-w 2 --worker-tmp-dir /dev/shm" },
    memory: { type: "string", default: "512" },
    cpus: { type: "string", default: "1" },
    gunicorn: { type: "string", default: "20.1.0" },
    flags: { type: "string", default: "" },
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
    },
    Number(values.rounds),
    (t) =>
      process.stderr.write(
        `bench: ${path} ${t.config.padEnd(7)} ${t.rps.toFixed(1)} req/s${t.errors ? ` (${t.errors} errors)` : ""}${Object.keys(t.actions).length > 0 ? ` gwarden: ${JSON.stringify(t.actions)}` : ""}\n`,
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
    `gwarden run ÷ plain gunicorn, identical layout (${values.layout}), ${values.memory} MiB / ${values.cpus} CPU, gunicorn ${values.gunicorn}, ${values.rounds} alternated rounds of ${values.seconds} s, ${values.connections} connections`,
  );
  console.log(
    "| endpoint | plain req/s (median; trials) | gwarden run req/s (median; trials) | ratio | per-round ratios | errors |",
  );
  console.log("|---|---|---|---|---|---|");
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  for (const r of results) {
    console.log(
      `| ${r.path} | ${f(median(r.plain))} (${r.plain.map(f).join(", ")}) | ${f(median(r.gwarden))} (${r.gwarden.map(f).join(", ")}) | **${r.ratio.toFixed(3)}** | ${r.spread.map((x) => x.toFixed(3)).join("–")} | ${r.errors} |`,
    );
  }
}
