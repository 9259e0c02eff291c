/**
 * Test harness for the rendered gunicorn.conf.py: start a real gunicorn release with a conf (fd 3 as
 * the hook channel, or none), wait for records, and write a user config whose hooks leave markers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  HOOK_STDIO,
  hookChannelEnv,
  hookStream,
  readHookRecords,
} from "../../src/adapters/run/hook-channel.js";
import type { HookName, HookRecord } from "../../src/core/events/hook-record.js";
import { repoRoot, type GunicornRelease } from "../helpers/gunicorns.js";

export const appDir = join(repoRoot, "test", "fixtures", "wsgi");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function until<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** GET with retries until the server answers (it may still be binding or booting). */
export async function getText(url: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await (await fetch(url)).text();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface Run {
  child: ChildProcess;
  records: HookRecord[];
  junk: string[];
  out: () => string;
  exited: Promise<number | null>;
}

function childEnv(release: GunicornRelease, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...release.env, ...extra };
  delete env.GUNICORN_CMD_ARGS;
  delete env.WEB_CONCURRENCY;
  if (!release.env.PYTHONPATH) delete env.PYTHONPATH;
  return env;
}

/** Starts gunicorn with the conf; with `channel` its fd 3 is a pipe read into `records`. */
export function startGunicorn(
  release: GunicornRelease,
  conf: string,
  channel: boolean,
  args: string[] = [],
  extraEnv: Record<string, string> = {},
): Run {
  const env = childEnv(release, { ...extraEnv, ...(channel ? hookChannelEnv() : {}) });
  const [command, ...prefix] = release.command;
  const child = spawn(command!, [...prefix, "-c", conf, ...args, "hello:app"], {
    cwd: appDir,
    env,
    stdio: channel ? HOOK_STDIO : ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const records: HookRecord[] = [];
  const junk: string[] = [];
  if (channel) readHookRecords(hookStream(child)!, (r) => records.push(r), { onJunk: (l) => junk.push(l) });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, records, junk, out: () => text, exited };
}

export async function stop(run: Run): Promise<number | null> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGTERM");
  return run.exited;
}

export const of = (records: HookRecord[], hook: HookName): HookRecord[] =>
  records.filter((r) => r.hook === hook);
export const readyPids = (records: HookRecord[]): number[] =>
  of(records, "post_worker_init").map((r) => r.pid);

export function userConfig(dir: string, markers: string, accesslog: string): string {
  const file = join(dir, "user.conf.py");
  writeFileSync(
    file,
    [
      "import os",
      `MARKERS = ${JSON.stringify(markers)}`,
      "def _mark(text):",
      "    with open(MARKERS, 'a') as f:",
      "        f.write(text + '\\n')",
      "_mark('loaded %d' % os.getpid())",
      "proc_name = 'gw-user-proc'",
      "raw_env = ['GWARDEN_TEST_RAW_ENV=from-user-config']",
      `accesslog = ${JSON.stringify(accesslog)}`,
      "workers = 5          # gwarden's 2 must win",
      "timeout = 99         # gwarden's 20 must win",
      "def when_ready(server): _mark('when_ready %d' % os.getpid())",
      "def post_fork(server, worker): _mark('post_fork %d' % worker.pid)",
      "def post_worker_init(worker): _mark('post_worker_init %d' % os.getpid())",
      "def child_exit(server, worker): _mark('child_exit %d' % worker.pid)",
      "def worker_exit(server, worker): _mark('worker_exit %d' % worker.pid)",
      "def pre_exec(server): _mark('pre_exec')",
      "",
    ].join("\n"),
  );
  return file;
}
