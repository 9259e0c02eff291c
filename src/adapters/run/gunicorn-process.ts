/**
 * Starts gunicorn as a direct child (no shell) with gwarden's generated config and the hook channel on
 * fd 3, waits for readiness on that channel, and stops it for sure: TERM to the master, then KILL to
 * its whole process group (the master runs in a session of its own, so workers stuck in an import are
 * killed too). A last-chance KILL runs when Node exits. Shared by `profile` and `run`.
 */
import { execFile, spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GwardenError } from "../../core/error.js";
import type { HookRecord } from "../../core/events/hook-record.js";
import { bootFailure, bootTimeout, type BootExit } from "../../core/profile/boot-failure.js";
import { HOOK_STDIO, hookChannelEnv, hookStream, readHookRecords } from "./hook-channel.js";

export interface GunicornLaunch {
  /** argv prefix that starts gunicorn (`["gunicorn"]`, `["/usr/bin/python3", "-m", "gunicorn"]`). */
  launcher: string[];
  /** gunicorn arguments without -c (gwarden's config is added); the spec last, if any. */
  args: string[];
  /** The rendered gunicorn.conf.py text; null when the launcher brings its own (`gwarden run ... --`). */
  conf: string | null;
  cwd?: string;
  /** Environment additions over process.env (GUNICORN_CMD_ARGS is removed unless given here). */
  env?: Record<string, string>;
  /** Each hook record, as it arrives. */
  onRecord?: (record: HookRecord) => void;
  /** gunicorn's stderr (its log), chunk by chunk. */
  onStderr?: (text: string) => void;
  /** gunicorn's stdout, raw chunks (default: drained and dropped). */
  onStdout?: (chunk: Buffer) => void;
  /** What this run is, for error messages (`1 worker, preload`). */
  label?: string;
}

export type GunicornState = { phase: "running" } | { phase: "exited"; exit: BootExit };

export interface GunicornProcess {
  /** The master's pid (also its process group id). */
  readonly pid: number;
  /** Unix time (seconds, float) at spawn, comparable with HookRecord.time. */
  readonly startedAt: number;
  /** Every hook record received so far. */
  readonly records: readonly HookRecord[];
  state(): GunicornState;
  /** The last ~16 KiB of stderr. */
  stderrTail(): string;
  /** Resolves when `ready(records)` holds; rejects (E_APP_IMPORT / E_BOOT) if gunicorn exits first or the deadline passes. */
  waitUntil(ready: (records: readonly HookRecord[]) => boolean, timeoutMs: number): Promise<void>;
  /** Settles when the master has exited. */
  readonly exited: Promise<BootExit>;
  /** TERM, then KILL to the process group after `graceMs`; removes the config. Idempotent. */
  stop(graceMs?: number): Promise<BootExit>;
}

export interface GunicornEffects {
  spawn: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  kill: (pid: number, signal: NodeJS.Signals) => void;
  /** Unix time in seconds (float). */
  now: () => number;
  env: NodeJS.ProcessEnv;
}

const defaultEffects: GunicornEffects = {
  spawn: nodeSpawn,
  kill: (pid, signal) => process.kill(pid, signal),
  now: () => Date.now() / 1000,
  env: process.env,
};

const TAIL_BYTES = 16 * 1024;
/** Process groups still to kill if Node exits before stop() finished. */
const live = new Set<number>();
let exitHookInstalled = false;

/** Sends a signal to a pid (or to a process group, as a negative pid), ignoring ESRCH. */
function send(kill: GunicornEffects["kill"], target: number, signal: NodeJS.Signals): void {
  try {
    kill(target, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pgid of live) send(defaultEffects.kill, -pgid, "SIGKILL");
  });
}

/** Writes the config to a private temp dir and spawns gunicorn; throws E_GUNICORN_MISSING if it cannot start. */
export async function startGunicorn(
  launch: GunicornLaunch,
  effects: GunicornEffects = defaultEffects,
): Promise<GunicornProcess> {
  const label = launch.label ?? "gunicorn";
  const dir = mkdtempSync(join(tmpdir(), "gwarden-conf-"));
  const confPath = join(dir, "gunicorn.conf.py");
  if (launch.conf !== null) writeFileSync(confPath, launch.conf);
  const [command, ...prefix] = launch.launcher;
  const env: NodeJS.ProcessEnv = { ...effects.env, ...launch.env, ...hookChannelEnv() };
  if (launch.env?.GUNICORN_CMD_ARGS === undefined) delete env.GUNICORN_CMD_ARGS;
  const confArgs = launch.conf === null ? [] : ["-c", confPath];
  const child = effects.spawn(command ?? "gunicorn", [...prefix, ...confArgs, ...launch.args], {
    cwd: launch.cwd,
    env,
    stdio: HOOK_STDIO,
    detached: true,
  });
  const startedAt = effects.now();

  const spawned = await new Promise<Error | null>((resolve) => {
    child.once("spawn", () => resolve(null));
    child.once("error", (error) => resolve(error));
  });
  if (spawned !== null || child.pid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new GwardenError(
      "E_GUNICORN_MISSING",
      `Cannot start \`${launch.launcher.join(" ")}\`: ${spawned?.message ?? "no pid"}`,
      {
        hint: "install gunicorn (Debian: apt-get install gunicorn) or give its path after `--`",
        cause: spawned,
      },
    );
  }
  const pid = child.pid;
  live.add(pid);
  installExitHook();

  const records: HookRecord[] = [];
  const listeners = new Set<() => void>();
  let state: GunicornState = { phase: "running" };
  let tail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    tail = (tail + text).slice(-TAIL_BYTES);
    launch.onStderr?.(text);
  });
  if (launch.onStdout) child.stdout?.on("data", launch.onStdout);
  else child.stdout?.resume();
  const channel = hookStream(child);
  if (channel) {
    readHookRecords(channel, (record) => {
      records.push(record);
      launch.onRecord?.(record);
      for (const listener of listeners) listener();
    });
  }
  const exited = new Promise<BootExit>((resolve) => {
    child.once("exit", (code, signal) => {
      state = { phase: "exited", exit: { code, signal } };
      // Workers orphaned by a dead master keep the group alive: end them now.
      send(effects.kill, -pid, "SIGKILL");
      live.delete(pid);
      for (const listener of listeners) listener();
      resolve(state.exit);
    });
  });

  let stopping: Promise<BootExit> | null = null;
  const handle: GunicornProcess = {
    pid,
    startedAt,
    records,
    state: () => state,
    stderrTail: () => tail,
    waitUntil(ready, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (ready(records)) return settle(null);
          if (state.phase === "exited") settle(bootFailure(state.exit, tail, label));
        };
        const settle = (error: GwardenError | null): void => {
          listeners.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const timer = setTimeout(
          () => settle(bootTimeout(Math.round(timeoutMs / 1000), tail, label)),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },
    exited,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (state.phase === "running") {
          // TERM to the master only: gunicorn's graceful stop; the group KILL is the backstop.
          send(effects.kill, pid, "SIGTERM");
          const timer = setTimeout(() => send(effects.kill, -pid, "SIGKILL"), graceMs);
          await exited;
          clearTimeout(timer);
        }
        send(effects.kill, -pid, "SIGKILL");
        rmSync(dir, { recursive: true, force: true });
        return exited;
      })();
      return stopping;
    },
  };
  return handle;
}

/** `gunicorn --version` through the launcher: the version string, or E_GUNICORN_MISSING. */
export async function gunicornVersion(
  launcher: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const [command, ...prefix] = launcher;
  const output = await new Promise<{ text: string; error: Error | null }>((resolve) => {
    execFile(
      command ?? "gunicorn",
      [...prefix, "--version"],
      { env, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ text: `${stdout}${stderr}`, error }),
    );
  });
  // (120 s: on a starved one-core VPS, and in the lab's VM guest, Python alone can take 30 s to start.)
  // `gunicorn (version 20.1.0)`; run as `python -m gunicorn`, 20.x prints `__main__.py (version 20.1.0)`.
  const match = /(?:gunicorn|__main__\.py) \(version ([^)\s]+)\)/.exec(output.text);
  if (!match) {
    throw new GwardenError(
      "E_GUNICORN_MISSING",
      `No gunicorn at \`${launcher.join(" ")}\`: ${output.text.trim() || output.error?.message || "no version printed"}`,
      {
        hint: "install gunicorn (Debian: apt-get install gunicorn) or give its path after `--` (e.g. `-- /usr/bin/python3 -m gunicorn app:app`)",
        cause: output.error,
      },
    );
  }
  return match[1]!;
}
