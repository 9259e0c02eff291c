/**
 * Requests per second of a trivial endpoint with gwarden's request hooks in three set-ups (issue 10
 * item 1), alternated over rounds, median of each:
 *
 *   none      the rendered conf without request hooks (no counters directory, no guard)
 *   records   the per-request channel records gwarden wrote before (pre_request / post_request, two
 *             JSON lines per request), read and parsed by this Node process as `gwarden run` did
 *   counters  the shared-memory counters and the memory guard: what the workers do now
 *
 * gunicorn (1 sync worker, test/fixtures/wsgi/hello.py) and this process share CPU 0; wrk runs on
 * CPU 1. Run after `npm run build`:  taskset -c 0 node bench/request-hooks-wrk.mjs [rounds] [seconds]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { request } from "node:http";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const { renderGunicornConf } = await import(join(root, "dist/core/conf/render.js"));
const { pythonRuntime } = await import(join(root, "dist/adapters/conf/python-runtime.js"));
const { HOOK_STDIO, hookChannelEnv, hookStream, readHookRecords } = await import(
  join(root, "dist/adapters/run/hook-channel.js")
);
const { openWorkerStatsDir } = await import(join(root, "dist/adapters/run/worker-stats.js"));

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const work = mkdtempSync(join(tmpdir(), "gw-hooks-wrk-"));
const port = 18000 + (process.pid % 1000);

// The old per-request records, as a user config chained by the rendered conf.
const recordsConf = join(work, "records-user.conf.py");
writeFileSync(
  recordsConf,
  [
    "import threading",
    "from gwarden_runtime import channel",
    "_lock, _busy = threading.Lock(), [0]",
    "def pre_request(worker, req):",
    "    with _lock:",
    "        _busy[0] += 1",
    "        now = _busy[0]",
    "    channel.emit('pre_request', lambda: {'busy': now})",
    "def post_request(worker, req, environ, resp):",
    "    with _lock:",
    "        _busy[0] -= 1",
    "        now = _busy[0]",
    "    channel.emit('post_request', lambda: {'busy': now})",
    "",
  ].join("\n"),
);

function conf(name, userConfig, guard) {
  const file = join(work, `${name}.conf.py`);
  writeFileSync(
    file,
    renderGunicornConf({
      settings: { workers: 1, bind: [`127.0.0.1:${port}`], worker_class: "sync", loglevel: "warning" },
      gcFreeze: false,
      userConfig,
      comments: [name],
      guard,
      runtime: pythonRuntime(),
    }),
  );
  return file;
}

const variants = {
  none: { file: conf("none", null, null), stats: false },
  records: { file: conf("records", recordsConf, null), stats: false },
  counters: { file: conf("counters", null, { bytes: 2 ** 40, explicit: true }), stats: true },
};

/** Whether the URL answers 200 (gunicorn is up). */
function answers(url) {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}

async function trial(name) {
  const variant = variants[name];
  const stats = variant.stats ? openWorkerStatsDir() : null;
  const child = spawn("/usr/bin/python3", ["-m", "gunicorn", "-c", variant.file, "hello:app"], {
    cwd: join(root, "test/fixtures/wsgi"),
    env: { ...process.env, ...hookChannelEnv(), ...(stats?.env ?? {}) },
    stdio: HOOK_STDIO,
  });
  let records = 0;
  readHookRecords(hookStream(child), () => records++);
  child.stdout.resume();
  child.stderr.resume();
  for (let i = 0; i < 100 && !(await answers(`http://127.0.0.1:${port}/`)); i++) await sleep(100);
  const out = execFileSync(
    "taskset",
    ["-c", "1", "wrk", "-t1", "-c4", `-d${seconds}s`, `http://127.0.0.1:${port}/`],
    { encoding: "utf8" },
  );
  child.kill("SIGTERM");
  await new Promise((resolve) => child.on("exit", resolve));
  stats?.close();
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]), records };
}

const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const name of Object.keys(variants)) results[name].push(await trial(name));
}
rmSync(work, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = Object.fromEntries(
  Object.entries(results).map(([k, v]) => [
    k,
    { rps: median(v.map((t) => t.rps)), runs: v.map((t) => t.rps) },
  ]),
);
console.log(JSON.stringify({ seconds, rounds, summary }, null, 1));
