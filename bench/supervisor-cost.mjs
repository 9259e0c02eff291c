#!/usr/bin/env node
/**
 * What gwarden's supervisor costs: a child Node process runs the real sampler (1 Hz) and the HTTP
 * endpoint against a real gunicorn with 4 sync workers, /metrics and /api/state are scraped like
 * Prometheus would, and the child's own anonymous memory (Private_Dirty + Swap from smaps_rollup)
 * and CPU are measured from outside, next to the bare gunicorn master's and workers' figures.
 *
 *   npx tsc -p tsconfig.build.json --noEmitOnError false   # builds dist/
 *   node bench/supervisor-cost.mjs [--duration 60] [--workers 4] [--interval 1000] [--scrape 15]
 *                                  [--node-flags="--max-semi-space-size=1"] [--json]
 *   node bench/supervisor-cost.mjs --run [--gwarden-args="--no-adaptive"] ...   # the whole `gwarden run` (bench/run-cost.mjs)
 *   node bench/supervisor-cost.mjs --run --gwarden dist/gwarden ...              # the same, single-file build
 *
 * With --run the supervisor is the real daemon: `node dist/cli.js run --keep-args -- gunicorn -w N`,
 * hooks, log parsing, event log and all; the gunicorn master measured is the one it launched.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { get } from "node:http";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { clearInterval, setInterval, setTimeout } from "node:timers";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(repo, "dist");
const HZ = 100;
const MiB = 1024 * 1024;

if (process.argv[2] === "--child")
  await child(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
else await parent();

/** The supervisor under test: sampler + snapshot + HTTP endpoint, nothing else. */
async function child(masterPid, port, intervalMs) {
  const { createSampler } = await import(pathToFileURL(join(dist, "adapters", "run", "sampler.js")).href);
  const { startHttpServer } = await import(
    pathToFileURL(join(dist, "adapters", "http", "http-server.js")).href
  );
  const { buildSnapshot } = await import(pathToFileURL(join(dist, "core", "snapshot", "build.js")).href);
  const { RingBuffer } = await import(pathToFileURL(join(dist, "core", "ring-buffer.js")).href);
  const events = new RingBuffer(1000);
  const startedAt = new Date().toISOString();
  let snapshot = null;
  const sampler = createSampler({
    masterPid,
    ports: [port],
    intervalMs,
    configuredBacklog: 2048,
    onSample: (sample) => {
      snapshot = buildSnapshot({
        sample,
        master: { state: "running", pid: masterPid, startedAt },
        workers: new Map(),
        plan: null,
        eventsByKind: {},
        unknownWorkerState: "ready",
      });
    },
  });
  sampler.start();
  const server = await startHttpServer({
    listen: "127.0.0.1:0",
    getSnapshot: () => snapshot,
    getEvents: (since) => events.since(since),
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const keepAlive = setInterval(() => undefined, 1 << 30);
  process.once("SIGTERM", () => {
    clearInterval(keepAlive);
    sampler.stop();
    void server.close();
  });
}

async function parent() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "60" },
      workers: { type: "string", default: "4" },
      interval: { type: "string", default: "1000" },
      scrape: { type: "string", default: "15" },
      "node-flags": { type: "string", default: "" },
      json: { type: "boolean", default: false },
      run: { type: "boolean", default: false },
      "gwarden-args": { type: "string", default: "" },
      gwarden: { type: "string", default: "" },
    },
  });
  if (values.run) return parentRun(values);
  const workers = Number(values.workers);
  if (!existsSync(join(dist, "adapters", "run", "sampler.js"))) {
    console.error("dist/ is missing: run `npx tsc -p tsconfig.build.json --noEmitOnError false` first");
    process.exit(2);
  }
  const port = await freePort();
  const gunicorn = spawn(
    "/usr/bin/python3",
    ["-m", "gunicorn", "-w", String(workers), "-b", `127.0.0.1:${port}`, "app:app"],
    {
      cwd: join(repo, "test", "fixtures", "wsgi-sampler"),
      stdio: "ignore",
    },
  );
  const stop = [() => gunicorn.kill("SIGTERM")];
  try {
    await until(() => children(gunicorn.pid).length === workers, 30_000, "gunicorn workers");
    const flags = values["node-flags"].split(/\s+/).filter(Boolean);
    const supervisor = spawn(
      process.execPath,
      [
        ...flags,
        fileURLToPath(import.meta.url),
        "--child",
        String(gunicorn.pid),
        String(port),
        values.interval,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    stop.unshift(() => supervisor.kill("SIGTERM"));
    const { url } = JSON.parse(await firstLine(supervisor.stdout));
    await sleep(5000); // warm-up: JIT, first smaps reads, first scrape
    await measure(
      values,
      url,
      { supervisor: supervisor.pid, master: gunicorn.pid, workers: children(gunicorn.pid) },
      "sampler + HTTP",
    );
  } finally {
    for (const fn of stop) fn();
  }
}

/** Measures the supervisor and the gunicorn it watches for `--duration` seconds, scraping like Prometheus. */
async function measure(values, url, pids, what) {
  const duration = Number(values.duration);
  const flags = values["node-flags"].split(/\s+/).filter(Boolean);
  await scrape(url);
  const t0 = performance.now();
  const cpu0 = cpuTicks(pids);
  const memory = { supervisor: [], master: [], workers: [] };
  const sampleMemory = () => {
    memory.supervisor.push(smaps(pids.supervisor));
    memory.master.push(smaps(pids.master));
    memory.workers.push(...pids.workers.map(smaps));
  };
  let nextScrape = 0;
  let scrapes = 0;
  let lastMetrics = "";
  for (let elapsed = 0; elapsed < duration; elapsed = (performance.now() - t0) / 1000) {
    if (elapsed >= nextScrape) {
      lastMetrics = await scrape(url);
      scrapes++;
      nextScrape += Number(values.scrape);
    }
    sampleMemory();
    await sleep(Math.min(5000, Math.max(0, (duration - elapsed) * 1000)));
  }
  sampleMemory();
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuTicks(pids);
  const cpuPercent = (key) => ((cpu1[key] - cpu0[key]) / HZ / seconds) * 100;
  const sampleSeconds = Number(/^gwarden_sample_duration_seconds (\S+)$/m.exec(lastMetrics)?.[1] ?? NaN);
  const result = {
    seconds: Math.round(seconds),
    workers: pids.workers.length,
    what,
    intervalMs: Number(values.interval),
    scrapes,
    nodeFlags: flags.join(" "),
    node: process.version,
    supervisor: summary(memory.supervisor, cpuPercent("supervisor")),
    gunicornMaster: summary(memory.master, cpuPercent("master")),
    gunicornWorkerAvg: summary(memory.workers, cpuPercent("workers") / pids.workers.length),
    lastSampleMs: sampleSeconds * 1000,
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else print(result);
}

/** --run: the whole `gwarden run` daemon in front of gunicorn with N sync workers. */
async function parentRun(values) {
  const workers = Number(values.workers);
  if (values.gwarden === "" && !existsSync(join(dist, "cli.js"))) {
    console.error("dist/ is missing: run `npx tsc -p tsconfig.build.json --noEmitOnError false` first");
    process.exit(2);
  }
  const port = await freePort();
  const flags = values["node-flags"].split(/\s+/).filter(Boolean);
  const interval = `${Number(values.interval)}ms`;
  // --gwarden PATH: another build of gwarden (the single file, dist/gwarden) instead of `node dist/cli.js`.
  const [command, ...prefix] =
    values.gwarden === "" ? [process.execPath, ...flags, join(dist, "cli.js")] : [resolve(values.gwarden)];
  const gwarden = spawn(
    command,
    [
      ...prefix,
      "run",
      ...values["gwarden-args"].split(/\s+/).filter(Boolean),
      "--keep-args",
      "--listen",
      "127.0.0.1:0",
      "--events",
      join(tmpdir(), `gwarden-bench-${process.pid}.jsonl`),
      "--sample-interval",
      interval,
      "--",
      "/usr/bin/python3",
      "-m",
      "gunicorn",
      "-w",
      String(workers),
      "-b",
      `127.0.0.1:${port}`,
      "app:app",
    ],
    { cwd: join(repo, "test", "fixtures", "wsgi-sampler"), stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  gwarden.stderr.setEncoding("utf8");
  gwarden.stderr.on("data", (text) => (log += text));
  try {
    const url = await until(
      () => /gwarden: serving (http:\/\/[^/\s]+)/.exec(log)?.[1],
      30_000,
      "gwarden's HTTP endpoint",
    );
    const master = await until(() => children(gwarden.pid)[0], 30_000, "the gunicorn master");
    await until(() => children(master).length === workers, 30_000, "gunicorn workers");
    await sleep(5000);
    await measure(
      values,
      url,
      { supervisor: gwarden.pid, master, workers: children(master) },
      "gwarden run (hooks, log parsing, sampler, HTTP)",
    );
  } finally {
    gwarden.kill("SIGTERM");
    await new Promise((resolve) => gwarden.once("exit", resolve));
  }
}

function summary(list, cpuPercent) {
  const last = list[list.length - 1];
  return {
    anonMiB: last.anon / MiB,
    anonMaxMiB: Math.max(...list.map((m) => m.anon)) / MiB,
    rssMiB: last.rss / MiB,
    pssMiB: last.pss / MiB,
    cpuPercent,
  };
}

function print(r) {
  const row = (name, s) =>
    `${name.padEnd(22)} ${s.anonMiB.toFixed(1).padStart(6)} MiB (max ${s.anonMaxMiB.toFixed(1)})  ${s.rssMiB.toFixed(1).padStart(6)} MiB  ${s.pssMiB.toFixed(1).padStart(6)} MiB  ${s.cpuPercent.toFixed(2).padStart(6)} %`;
  console.log(
    `gwarden supervisor cost: ${r.what}${r.gwardenArgs ? ` ${r.gwardenArgs}` : ""}, sampling every ${r.intervalMs} ms (${r.scrapes} scrapes of /metrics + /api/state), gunicorn with ${r.workers} sync workers, ${r.seconds} s, node ${r.node} ${r.nodeFlags}`,
  );
  console.log(
    `${"process".padEnd(22)} ${"anon (Private_Dirty+Swap)".padEnd(25)} ${"rss".padStart(10)} ${"pss".padStart(10)}  cpu (of one core)`,
  );
  console.log(row("gwarden supervisor", r.supervisor));
  console.log(row("gunicorn master", r.gunicornMaster));
  console.log(row("gunicorn worker (avg)", r.gunicornWorkerAvg));
  console.log(
    `last sample took ${r.lastSampleMs.toFixed(2)} ms (wall); targets: anon < 20 MiB, cpu < 1 %: ${r.supervisor.anonMaxMiB < 20 && r.supervisor.cpuPercent < 1 ? "met" : "NOT met"}`,
  );
}

function smaps(pid) {
  const fields = {};
  for (const m of readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").matchAll(/^(\w+):\s+(\d+) kB$/gm))
    fields[m[1]] = Number(m[2]) * 1024;
  return {
    anon: (fields.Private_Dirty ?? 0) + (fields.Swap ?? 0),
    rss: fields.Rss ?? 0,
    pss: fields.Pss ?? 0,
  };
}

function ticks(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
}

function cpuTicks(pids) {
  return {
    supervisor: ticks(pids.supervisor),
    master: ticks(pids.master),
    workers: pids.workers.reduce((sum, pid) => sum + ticks(pid), 0),
  };
}

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function scrape(url) {
  const fetchText = (path) =>
    new Promise((resolve, reject) => {
      get(`${url}${path}`, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve(body));
      }).on("error", reject);
    });
  return fetchText("/api/state").then(() => fetchText("/metrics"));
}

function firstLine(stream) {
  return new Promise((resolve, reject) => {
    let buffer = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      buffer += chunk;
      if (buffer.includes("\n")) resolve(buffer.slice(0, buffer.indexOf("\n")));
    });
    stream.on("end", () => reject(new Error("the supervisor exited before it was ready")));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
