/**
 * Runs the built CLI (`node dist/cli.js run ...`) inside a real memory cgroup, so gwarden and gunicorn
 * share the limit as they would in a container, and gives tests its output, its HTTP API, the app's
 * port and its exit. Everything (processes, cgroup, temp dir) is removed by `close()`, even after a
 * failed assertion.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { get } from "node:http";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFailed } from "vitest";
import { createSandbox, type Sandbox } from "../../src/adapters/sandbox/cgroup-sandbox.js";
import { freePort } from "../../src/adapters/http/free-port.js";
import { gwardenRunArgv } from "../../bench/harness/adaptive-scenarios.js";
import { probe, type ProbeResult } from "../../src/adapters/http/http-probe.js";
import type { GunicornRelease } from "../helpers/gunicorns.js";
import { exampleDir } from "../helpers/gunicorns.js";

export const MiB = 1048576;

export interface RunOptions {
  release: GunicornRelease;
  memoryBytes: number;
  /** A CPU quota for the group (default none). */
  cpus?: number;
  /** gwarden's own flags (before `--`). */
  flags?: string[];
  /** gunicorn arguments after the launcher and before the spec. */
  gunicornArgs?: string[];
  env?: Record<string, string>;
  /** argv before `node dist/cli.js` (e.g. `unshare --pid --fork --mount-proc`). */
  prefix?: string[];
  /**
   * gwarden runs outside the memory group (in the test's own): gunicorn's master moves itself into the
   * group from a config's on_starting hook, so gwarden must follow the master's group, not its own.
   */
  gwardenOutside?: boolean;
  /** The app's directory and spec (default: the example app, `app:app`). */
  appDir?: string;
  spec?: string;
}

export interface GwardenRun {
  child: ChildProcess;
  sandbox: Sandbox;
  apiPort: number;
  appPort: number;
  eventsPath: string;
  stderr(): string;
  /** What gwarden wrote on its stdout (gunicorn's stdout passes through it). */
  stdout(): string;
  /** Resolves with the exit once gwarden has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** GET on gwarden's API: status and the whole body. */
  api(path: string): Promise<{ status: number | null; body: string }>;
  app(path: string, timeoutMs?: number): Promise<ProbeResult>;
  close(): Promise<void>;
}

/**
 * Polls `check` every 200 ms until it returns something truthy. `what` may be a function, read at the
 * timeout: the failure line is often all a CI log keeps, so it can carry the state that explains it.
 */
export async function until<T>(
  what: string | (() => string),
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts gwarden run on the example app inside a fresh cgroup. */
export async function startRun(options: RunOptions): Promise<GwardenRun> {
  const sandbox = await createSandbox({
    memoryBytes: options.memoryBytes,
    name: "run",
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
  });
  const dir = mkdtempSync(join(tmpdir(), "gwarden-run-"));
  chmodSync(dir, 0o755); // gunicorn may run as another user (a wrapper test): it starts in this directory
  const apiPort = await freePort();
  const appPort = await freePort();
  const eventsPath = join(dir, "events.jsonl");
  const argv = [
    ...(options.prefix ?? []),
    ...gwardenRunArgv({
      apiPort,
      appPort,
      events: eventsPath,
      flags: options.flags ?? [],
      gunicorn: options.release.command,
      chdir: options.appDir ?? exampleDir,
      appArgs: [
        ...(options.gwardenOutside ? ["-c", enterGroupConfig(dir, sandbox)] : []),
        ...(options.gunicornArgs ?? []),
        options.spec ?? "app:app",
      ],
    }),
  ];
  const [command, ...args] = options.gwardenOutside ? argv : sandbox.wrap(argv);
  const child = spawn(command!, args, {
    cwd: dir,
    env: {
      ...process.env,
      ...options.release.env,
      GWARDEN_EXAMPLE_DB: join(dir, "app.sqlite"),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (text: string) => (stdout += text.slice(0, 1 << 20)));
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => {
    stderr += text;
    if (process.env.GWARDEN_TEST_VERBOSE) process.stderr.write(text);
  });
  // A failing test shows what gwarden said and the events it logged: CI keeps no other trace of the run.
  // (afterEach may have removed the directory by then: close() keeps the tail.)
  let eventsTail: string | null = null;
  let groupState: string | null = null;
  const describeGroup = (): string => {
    const state =
      child.exitCode === null && child.signalCode === null
        ? "alive"
        : `exited (${child.exitCode ?? child.signalCode})`;
    let kills = "?";
    try {
      kills = String(sandbox.oomKills());
    } catch {
      // The group is gone already.
    }
    return `gwarden ${state}; the group's OOM kills: ${kills}`;
  };
  const readEventsTail = () =>
    existsSync(eventsPath)
      ? readFileSync(eventsPath, "utf8").trim().split("\n").slice(-40).join("\n")
      : "(no event log)";
  onTestFailed(() => {
    const events = eventsTail ?? readEventsTail();
    console.error(`--- ${groupState ?? describeGroup()} ---`);
    console.error(
      `--- gwarden stderr (last 80 lines) ---\n${stderr.split("\n").slice(-80).join("\n")}\n--- events (last 40) ---\n${events}`,
    );
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    sandbox,
    apiPort,
    appPort,
    eventsPath,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    api: (path) => fetchText(apiPort, path),
    app: (path, timeoutMs = 10_000) => probe("127.0.0.1", appPort, path, { timeoutMs }),
    async close() {
      groupState = describeGroup();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      eventsTail = readEventsTail();
      await sandbox.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A gunicorn config whose on_starting moves the master (and so its future workers) into the sandbox. */
function enterGroupConfig(dir: string, sandbox: Sandbox): string {
  const path = join(dir, "enter-group.conf.py");
  const dirs = [
    sandbox.memoryDir,
    ...(sandbox.cpuDir !== null && sandbox.cpuDir !== sandbox.memoryDir ? [sandbox.cpuDir] : []),
  ];
  writeFileSync(
    path,
    [
      "import os",
      "",
      "def on_starting(server):",
      `    for group in ${JSON.stringify(dirs)}:`,
      '        with open(os.path.join(group, "cgroup.procs"), "w") as procs:',
      "            procs.write(str(os.getpid()))",
      "",
    ].join("\n"),
  );
  return path;
}

/** One GET with the whole body; status null when nothing answered. */
export function fetchText(port: number, path: string): Promise<{ status: number | null; body: string }> {
  return new Promise((resolve) => {
    const req = get({ host: "127.0.0.1", port, path, agent: false, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? null, body }));
      res.on("error", () => resolve({ status: null, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ status: null, body: "" }));
  });
}

/** Events from `/api/events`. */
export async function apiEvents(run: GwardenRun): Promise<Record<string, unknown>[]> {
  const result = await run.api("/api/events?since=0");
  if (result.status !== 200) return [];
  return (JSON.parse(result.body) as { events: Record<string, unknown>[] }).events;
}

/** The last `n` lines gwarden itself wrote (prefixed `gwarden:`). */
export function ownLines(stderr: string, n: number): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("gwarden:"))
    .slice(-n);
}
