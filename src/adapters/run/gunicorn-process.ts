/**
 * Starts gunicorn as a direct child (no shell) with gwarden's generated config and the hook channel on
 * fd 3, waits for readiness on that channel, and stops it for sure: TERM to the master, then KILL to
 * its whole process group (the master runs in a session of its own, so workers stuck in an import are
 * killed too). A last-chance KILL runs when gwarden exits. gunicorn's stdout and stderr are real pipes
 * (platform/fifo-pipe.ts), so `--error-logfile /dev/stderr` works as under a shell; `run` passes its
 * own stdout straight through. Shared by `profile`, `run` and the lab.
 */
import { spawn, type StdioOptions } from "node:child_process";
import { chmodSync, fstatSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { GwardenError } from "../../core/error.js";
import type { HookRecord } from "../../core/events/hook-record.js";
import { bootFailure, bootTimeout, type BootExit } from "../../core/profile/boot-failure.js";
import { openFifoPipe } from "../platform/fifo-pipe.js";
import { nodePlatform, type Platform } from "../platform/platform.js";
import { HOOK_FD, hookChannelEnv, hookStream, readHookRecords } from "./hook-channel.js";

export interface GunicornLaunch {
  /** argv prefix that starts gunicorn (`["gunicorn"]`, `["/usr/bin/python3", "-m", "gunicorn"]`). */
  launcher: string[];
  /** gunicorn arguments without -c (gwarden's config is added); the spec last, if any. */
  args: string[];
  /** The rendered gunicorn.conf.py text; null when the launcher brings its own (`gwarden run ... --`). */
  conf: string | null;
  cwd?: string;
  /** Environment additions over the platform's (GUNICORN_CMD_ARGS is removed unless given here). */
  env?: Record<string, string>;
  /** Each hook record, as it arrives. */
  onRecord?: (record: HookRecord) => void;
  /** gunicorn's stderr (its log), chunk by chunk. */
  onStderr?: (text: string) => void;
  /** gunicorn's stdout: `inherit` gives it gwarden's own stdout (nothing is copied, unless that is a socket); a function gets the chunks; absent, it is read and dropped. */
  stdout?: "inherit" | ((chunk: Buffer) => void);
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
  /** Settles when the master has exited and its stderr was read to the end. */
  readonly exited: Promise<BootExit>;
  /** TERM, then KILL to the process group after `graceMs`; removes the config. Idempotent. */
  stop(graceMs?: number): Promise<BootExit>;
}

const TAIL_BYTES = 16 * 1024;
/** How long the end of stderr is awaited after the master exits. */
const STDERR_GRACE_MS = 2000;

function isSocket(fd: number): boolean {
  try {
    return fstatSync(fd).isSocket();
  } catch {
    return false;
  }
}

/** A real pipe for one of the child's output streams, or a socket pair where no FIFO can be made. */
async function outputPipe(
  platform: Platform,
): Promise<{ fd: number | "pipe"; stream: Readable | null; release(): void }> {
  const pipe = await openFifoPipe(platform);
  if ("error" in pipe) return { fd: "pipe", stream: null, release: () => undefined };
  return { fd: pipe.writerFd, stream: pipe.reader, release: () => pipe.closeWriter() };
}

/** Writes the config to a private temp dir and spawns gunicorn; throws E_GUNICORN_MISSING if it cannot start. */
export async function startGunicorn(
  launch: GunicornLaunch,
  platform: Platform = nodePlatform(),
): Promise<GunicornProcess> {
  const label = launch.label ?? "gunicorn";
  // Readable by all: gunicorn may run as another user behind a wrapper (setpriv, gosu, runuser); the
  // config holds the plan and the path of the user's own config, no secret.
  const dir = mkdtempSync(join(tmpdir(), "gwarden-conf-"));
  chmodSync(dir, 0o755);
  const confPath = join(dir, "gunicorn.conf.py");
  if (launch.conf !== null) writeFileSync(confPath, launch.conf, { mode: 0o644 });
  const [command, ...prefix] = launch.launcher;
  const env: NodeJS.ProcessEnv = { ...process.env, ...launch.env, ...hookChannelEnv() };
  if (launch.env?.GUNICORN_CMD_ARGS === undefined) delete env.GUNICORN_CMD_ARGS;
  const confArgs = launch.conf === null ? [] : ["-c", confPath];
  const err = await outputPipe(platform);
  // gwarden's own stdout is given as it is, unless it is a socket (journald, a Node parent's pipe):
  // then /dev/stdout would not open, so a real pipe is relayed to it.
  const inherit = launch.stdout === "inherit" && !isSocket(1);
  const out = inherit ? null : await outputPipe(platform);
  const stdio: StdioOptions = ["ignore", out === null ? "inherit" : out.fd, err.fd, "pipe"];
  const child = spawn(command ?? "gunicorn", [...prefix, ...confArgs, ...launch.args], {
    cwd: launch.cwd,
    env,
    stdio,
    detached: true,
  });
  const startedAt = platform.wallClock().getTime() / 1000;
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once("spawn", () => resolve(null));
    child.once("error", (error) => resolve(error));
  });
  err.release();
  out?.release();
  const errStream = err.stream ?? child.stderr;
  const outStream = out === null ? null : (out.stream ?? child.stdout);
  if (spawned !== null || child.pid === undefined) {
    errStream?.destroy();
    outStream?.destroy();
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
  const forgetGroup = platform.shutdown.atExit(() => platform.kill(-pid, "SIGKILL"));

  const records: HookRecord[] = [];
  const listeners = new Set<() => void>();
  let state: GunicornState = { phase: "running" };
  let tail = "";
  errStream?.setEncoding("utf8");
  errStream?.on("data", (text: string) => {
    tail = (tail + text).slice(-TAIL_BYTES);
    launch.onStderr?.(text);
  });
  const stdoutHandler =
    launch.stdout === "inherit" ? (chunk: Buffer) => process.stdout.write(chunk) : launch.stdout;
  if (outStream !== null) {
    if (stdoutHandler === undefined) outStream.resume();
    else outStream.on("data", stdoutHandler);
  }
  const channel = hookStream(child, HOOK_FD);
  if (channel) {
    readHookRecords(channel, (record) => {
      records.push(record);
      launch.onRecord?.(record);
      for (const listener of listeners) listener();
    });
  }
  const stderrEnded =
    errStream === null
      ? Promise.resolve()
      : new Promise<void>((resolve) => errStream.once("close", () => resolve()));
  const exited = new Promise<BootExit>((resolve) => {
    child.once("exit", (code, signal) => {
      // Workers orphaned by a dead master keep the group (and the pipes) alive: end them now.
      platform.kill(-pid, "SIGKILL");
      forgetGroup();
      const exit: BootExit = { code, signal };
      // The log's last lines come after the exit; a daemon the app spawned may hold the pipe for good.
      const logRead = new Promise<void>((done) => {
        const cancel = platform.after(STDERR_GRACE_MS, done);
        void stderrEnded.then(() => {
          cancel();
          done();
        });
      });
      void logRead.then(() => {
        state = { phase: "exited", exit };
        for (const listener of listeners) listener();
        resolve(exit);
      });
    });
  });

  let stopping: Promise<BootExit> | null = null;
  return {
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
          cancel();
          if (error) reject(error);
          else resolve();
        };
        const cancel = platform.after(timeoutMs, () =>
          settle(bootTimeout(Math.round(timeoutMs / 1000), tail, label)),
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
          platform.kill(pid, "SIGTERM");
          const cancel = platform.after(graceMs, () => platform.kill(-pid, "SIGKILL"));
          await exited;
          cancel();
        }
        platform.kill(-pid, "SIGKILL");
        rmSync(dir, { recursive: true, force: true });
        return exited;
      })();
      return stopping;
    },
  };
}

/** `gunicorn --version` through the launcher: the version string, or E_GUNICORN_MISSING. */
export async function gunicornVersion(
  launcher: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  platform: Platform = nodePlatform(),
): Promise<string> {
  const [command, ...prefix] = launcher;
  // (120 s: on a starved one-core VPS, and in the lab's VM guest, Python alone can take 30 s to start.)
  const result = await platform.run(command ?? "gunicorn", [...prefix, "--version"], {
    env,
    timeoutMs: 120_000,
  });
  const text = `${result.stdout}${result.stderr}`;
  // `gunicorn (version 20.1.0)`; run as `python -m gunicorn`, 20.x prints `__main__.py (version 20.1.0)`.
  const match = /(?:gunicorn|__main__\.py) \(version ([^)\s]+)\)/.exec(text);
  if (!match) {
    throw new GwardenError(
      "E_GUNICORN_MISSING",
      `No gunicorn at \`${launcher.join(" ")}\`: ${text.trim() || result.error || "no version printed"}`,
      {
        hint: "install gunicorn (Debian: apt-get install gunicorn) or give its path after `--` (e.g. `-- /usr/bin/python3 -m gunicorn app:app`)",
      },
    );
  }
  return match[1]!;
}
