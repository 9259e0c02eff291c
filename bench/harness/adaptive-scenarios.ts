/**
 * The adaptive-control scenarios' harness, shared by test/integration/adaptive-*.test.ts and
 * bench/adaptive.mjs: the built gwarden CLI runs the example app (faults on) inside a fresh memory
 * cgroup — gwarden and gunicorn share the limit as in a container — while load comes from outside the
 * group. Everything is removed by `close()`, after a failure too.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadOutcome } from "./load-summary.js";
import { createSandbox, type Sandbox } from "../../src/adapters/sandbox/cgroup-sandbox.js";
import { freePort } from "../../src/adapters/http/free-port.js";
import { probe } from "../../src/adapters/http/http-probe.js";

/** The checkout: the nearest directory above this file with a package.json (from bench/harness/ or dist-bench/). */
export const repoRoot = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const SYSTEM_PYTHON = "/usr/bin/python3";

export interface ScenarioOptions {
  memoryBytes: number;
  adaptive: boolean;
  /** More gwarden flags (before `--`). */
  flags?: string[];
  /** App environment additions (EXAMPLE_BALLAST_MB, ...). */
  env?: Record<string, string>;
  name?: string;
}

export interface ScenarioRun {
  sandbox: Sandbox;
  appPort: number;
  apiPort: number;
  stderr(): string;
  /** GET on gwarden's API, parsed; null when it did not answer. */
  api<T = Record<string, unknown>>(path: string): Promise<T | null>;
  /** Live workers as gwarden sees them (not exiting). */
  workers(): Promise<number | null>;
  /** Events gwarden recorded (from /api/events). */
  events(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The built CLI in front of the app: `node dist/cli.js run --listen … --events … FLAGS -- GUNICORN --chdir DIR -b 127.0.0.1:PORT APP_ARGS`. */
export function gwardenRunArgv(o: {
  apiPort: number;
  appPort: number;
  /** The event log path ("" for none). */
  events: string;
  flags: readonly string[];
  /** The argv prefix that starts gunicorn. */
  gunicorn: readonly string[];
  chdir: string;
  /** gunicorn arguments after the bind, the app spec last. */
  appArgs: readonly string[];
}): string[] {
  return [
    process.execPath,
    join(repoRoot, "dist", "cli.js"),
    "run",
    "--listen",
    `127.0.0.1:${o.apiPort}`,
    "--events",
    o.events,
    ...o.flags,
    "--",
    ...o.gunicorn,
    "--chdir",
    o.chdir,
    "-b",
    `127.0.0.1:${o.appPort}`,
    ...o.appArgs,
  ];
}

/** Starts `gwarden run` on the example app in a fresh cgroup and waits until every planned worker is ready. */
export async function startScenario(options: ScenarioOptions): Promise<ScenarioRun> {
  const sandbox = await createSandbox({ memoryBytes: options.memoryBytes, name: options.name ?? "adaptive" });
  const dir = mkdtempSync(join(tmpdir(), "gwarden-adaptive-"));
  let stderr = "";
  const close = async (): Promise<void> => {
    await sandbox.remove();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const apiPort = await freePort();
    const appPort = await freePort();
    const argv = gwardenRunArgv({
      apiPort,
      appPort,
      events: "",
      flags: [...(options.adaptive ? [] : ["--no-adaptive"]), ...(options.flags ?? [])],
      gunicorn: [SYSTEM_PYTHON, "-m", "gunicorn"],
      chdir: join(repoRoot, "example"),
      appArgs: ["app:app"],
    });
    const wrapped = sandbox.wrap(argv);
    const child = spawn(wrapped[0]!, wrapped.slice(1), {
      cwd: dir,
      env: {
        ...process.env,
        EXAMPLE_FAULTS: "1",
        GWARDEN_EXAMPLE_DB: join(dir, "app.sqlite"),
        ...options.env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => {
      stderr += text;
      if (process.env.GWARDEN_TEST_VERBOSE) process.stderr.write(text);
    });
    const api = async <T>(path: string): Promise<T | null> => {
      const body = await fetchAll(apiPort, path);
      return body === null ? null : (JSON.parse(body) as T);
    };
    const workers = async (): Promise<number | null> => {
      const state = await api<{ workers: { state: string }[] }>("/api/state");
      return state === null ? null : state.workers.filter((w) => w.state !== "exiting").length;
    };
    const run: ScenarioRun = {
      sandbox,
      appPort,
      apiPort,
      stderr: () => stderr,
      api,
      workers,
      events: async () =>
        (await api<{ events: Record<string, unknown>[] }>("/api/events?since=0"))?.events ?? [],
      async close() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await close();
      },
    };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = await api<{ plan: { workers: number } | null; workers: { state: string }[] }>(
        "/api/state",
      );
      const ready = state?.workers.filter((w) => w.state === "ready").length ?? 0;
      if (
        state?.plan &&
        ready >= state.plan.workers &&
        (await probe("127.0.0.1", appPort, "/health", { timeoutMs: 2000 })).ok
      )
        return run;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`gwarden run did not come up:\n${stderr.slice(-3000)}`);
      await sleep(200);
    }
  } catch (error) {
    await close();
    throw error;
  }
}

/** The whole body of a 200 answer, else null. */
function fetchAll(port: number, path: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = get({ host: "127.0.0.1", port, path, agent: false, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve(res.statusCode === 200 ? body : null));
      res.on("error", () => resolve(null));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(null));
  });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface SteadyLoad {
  /** Stops sending and resolves with every outcome. */
  stop(): Promise<LoadOutcome[]>;
}

/** `concurrency` lanes each sending GET `path` back to back (fresh connection each) until stopped. */
export function steadyLoad(port: number, path: string, concurrency: number, timeoutMs = 30_000): SteadyLoad {
  const outcomes: LoadOutcome[] = [];
  let running = true;
  const lane = async (): Promise<void> => {
    while (running) {
      const r = await probe("127.0.0.1", port, path, { timeoutMs });
      outcomes.push({ status: r.status, ms: r.ms, ...(r.error === undefined ? {} : { error: r.error }) });
    }
  };
  const lanes = Promise.all(Array.from({ length: concurrency }, lane));
  return {
    async stop() {
      running = false;
      await lanes;
      return outcomes;
    },
  };
}

/** Sends GET `path` every `intervalMs`, `count` times, without waiting for answers in between; resolves with all outcomes. */
export async function paced(
  port: number,
  path: string,
  count: number,
  intervalMs: number,
  timeoutMs = 30_000,
): Promise<LoadOutcome[]> {
  const pending: Promise<LoadOutcome>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(
      probe("127.0.0.1", port, path, { timeoutMs }).then((r) => ({
        status: r.status,
        ms: r.ms,
        ...(r.error === undefined ? {} : { error: r.error }),
      })),
    );
    if (i < count - 1) await sleep(intervalMs);
  }
  return Promise.all(pending);
}

/** Requests that got no 2xx/3xx answer. */
export function failures(outcomes: readonly LoadOutcome[]): number {
  return outcomes.filter((o) => o.status === null || o.status >= 400).length;
}
