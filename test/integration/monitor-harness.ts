/**
 * What the monitor and dashboard tests share: a real gunicorn (Debian's, the tiny app in
 * test/fixtures/wsgi-sampler or one given) or a real `gwarden run` in front of it, each inside a memory
 * cgroup so the views have a limit to draw, and a polling helper. `close()` removes everything.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSandbox, type Sandbox } from "../../src/adapters/sandbox/cgroup-sandbox.js";
import { freePort } from "../../src/adapters/http/free-port.js";
import { repoRoot } from "../helpers/gunicorns.js";
import { until } from "./run-harness.js";

export { until };

export const MiB = 1048576;
export const cli = join(repoRoot, "dist", "cli.js");
export const samplerApp = join(repoRoot, "test", "fixtures", "wsgi-sampler");

export interface Boxed {
  child: ChildProcess;
  sandbox: Sandbox;
  /** The app's port. */
  port: number;
  /** gwarden run's API port (0 for a bare gunicorn). */
  apiPort: number;
  output(): string;
  close(): Promise<void>;
}

/** Children of a process, sorted. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** Starts `/usr/bin/gunicorn -w N` (or `gwarden run -- gunicorn`, sized by the plan) on `app` in a fresh memory cgroup. */
export async function startBoxed(options: {
  memoryBytes: number;
  workers?: number;
  run: boolean;
  chdir?: string;
  app?: string;
  name: string;
}): Promise<Boxed> {
  const sandbox = await createSandbox({ memoryBytes: options.memoryBytes, name: options.name });
  const port = await freePort();
  const apiPort = options.run ? await freePort() : 0;
  // under `gwarden run` the plan sizes the workers (it would scale a kept `-w` back down to its target)
  const gunicorn = [
    "/usr/bin/gunicorn",
    "--chdir",
    options.chdir ?? samplerApp,
    "-b",
    `127.0.0.1:${port}`,
    ...(options.run ? [] : ["-w", String(options.workers ?? 2)]),
    options.app ?? "app:app",
  ];
  const argv = options.run
    ? [
        process.execPath,
        cli,
        "run",
        "--listen",
        `127.0.0.1:${apiPort}`,
        "--events",
        "",
        "--no-threads",
        "--",
        ...gunicorn,
      ]
    : gunicorn;
  const wrapped = sandbox.wrap(argv);
  // a directory of its own, so no .gwarden/profile.json of another app is picked up
  const cwd = mkdtempSync(join(tmpdir(), "gwarden-monitor-"));
  const child = spawn(wrapped[0]!, wrapped.slice(1), {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env },
  });
  let output = "";
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => (output += text));
  }
  return {
    child,
    sandbox,
    port,
    apiPort,
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await Promise.race([
        new Promise((resolve) => child.once("exit", resolve)),
        new Promise((resolve) => setTimeout(resolve, 5000)),
      ]);
      await sandbox.remove();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** The gunicorn master: the boxed process itself, or gwarden run's one child. */
export async function masterOf(boxed: Boxed, run: boolean): Promise<number> {
  const top = await until(`the process tree (output so far: ${boxed.output().slice(-500)})`, () => {
    const pid = boxed.child.pid;
    if (pid === undefined) return null;
    // the sandbox wrapper execs into the command, so child.pid is gunicorn (or node running gwarden)
    return run
      ? childrenOf(pid).find(
          (c) => cmdline(c).startsWith("/usr/bin/python3 /usr/bin/gunicorn ") && childrenOf(c).length > 0,
        )
      : pid;
  });
  return top;
}

/** A process's command line, spaces between arguments. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/** GET on gwarden run's API, parsed. */
export async function api<T>(boxed: Boxed, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${boxed.apiPort}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The worker count gwarden run planned (the adaptive control settles on it). */
export async function plannedWorkers(boxed: Boxed): Promise<number> {
  return until("the plan in /api/state", async () => {
    const state = await api<{ plan: { workers: number } | null }>(boxed, "/api/state").catch(() => null);
    return state?.plan?.workers;
  });
}
