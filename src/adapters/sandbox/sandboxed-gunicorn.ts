/**
 * gunicorn inside a fresh memory cgroup (swap closed, optional CPU quota), bound to a free loopback
 * port, with its log parsed into lifecycle events as it arrives and its hook records telling which
 * workers are ready. The tier trial and the lab start their instances through this; `stop()` leaves
 * no process and no cgroup behind.
 */
import type { GunicornEvent } from "../../core/events/types.js";
import type { HookRecord } from "../../core/events/hook-record.js";
import { createLogParser } from "../../core/log/log-parser.js";
import { createSandbox, type Sandbox, type SandboxOptions } from "./cgroup-sandbox.js";
import { freePort } from "../http/free-port.js";
import { startGunicorn, type GunicornProcess } from "../run/gunicorn-process.js";

export interface SandboxedGunicornOptions {
  tierBytes: number;
  cpus: number;
  /** Part of the cgroup's name. */
  name: string;
  /** argv prefix that starts gunicorn. */
  launcher: string[];
  /** gunicorn arguments (the app spec last); `-b` is added. */
  args: string[];
  /** The rendered gunicorn.conf.py (null: the launcher brings its own, as `gwarden run` does). */
  conf: string | null;
  env?: Record<string, string>;
  cwd?: string;
  label: string;
  /** Keep at most this many log lines (default 20 000). */
  maxLogLines?: number;
  /**
   * What the app needs inside the same limit (a database on the box), started in the sandbox before
   * gunicorn: its environment additions, and how to stop it (after gunicorn, before the sandbox goes).
   */
  prepare?: (sandbox: Sandbox) => Promise<PreparedService>;
  /** Makes the sandbox (default: a cgroup with the tier's limits; the VM lab's box sandbox has none). */
  makeSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
}

export interface PreparedService {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface SandboxedGunicorn {
  readonly sandbox: Sandbox;
  readonly gunicorn: GunicornProcess;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** Events parsed from gunicorn's log so far, and when each arrived (seconds since spawn). */
  readonly events: GunicornEvent[];
  readonly eventTimes: number[];
  /** gunicorn's log lines so far (bounded; the oldest dropped first). */
  readonly log: string[];
  /** Seconds since gunicorn was spawned. */
  elapsed(): number;
  /** Workers that reported ready (post_worker_init) and have not exited since. */
  liveReadyWorkers(): number;
  /** Flushes the last partial log line. */
  flushLog(): void;
  /** Stops gunicorn (TERM, then KILL after `graceMs`) and removes the cgroup. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** Pids that reported ready and have not exited, from hook records. */
export function liveReadyPids(records: readonly HookRecord[]): number[] {
  const live = new Set<number>();
  for (const r of records) {
    if (r.hook === "post_worker_init") live.add(r.pid);
    else if ((r.hook === "child_exit" || r.hook === "worker_exit") && r.worker !== undefined)
      live.delete(r.worker);
  }
  return [...live];
}

/** How many workers reported ready and have not exited. */
export function liveReady(records: readonly HookRecord[]): number {
  return liveReadyPids(records).length;
}

/** Starts gunicorn in a new sandbox; the sandbox is removed if the start fails. */
export async function startSandboxedGunicorn(options: SandboxedGunicornOptions): Promise<SandboxedGunicorn> {
  const sandbox = await (options.makeSandbox ?? createSandbox)({
    memoryBytes: options.tierBytes,
    cpus: options.cpus,
    name: options.name,
  });
  const parser = createLogParser();
  const events: GunicornEvent[] = [];
  const eventTimes: number[] = [];
  const log: string[] = [];
  const maxLines = options.maxLogLines ?? 20_000;
  let partial = "";
  let started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const feed = (line: string): void => {
    log.push(line);
    if (log.length > maxLines) log.splice(0, log.length - maxLines);
    for (const parsed of parser.feed(line)) {
      events.push(parsed.event);
      eventTimes.push(elapsed());
    }
  };
  const onStderr = (text: string): void => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) feed(line);
  };
  let gunicorn: GunicornProcess;
  let service: PreparedService | null = null;
  const teardown = async (): Promise<void> => {
    await service?.stop();
    await sandbox.remove();
  };
  try {
    service = options.prepare ? await options.prepare(sandbox) : null;
    const port = await freePort();
    started = performance.now();
    gunicorn = await startGunicorn({
      launcher: sandbox.wrap(options.launcher),
      args: ["-b", `127.0.0.1:${port}`, ...options.args],
      conf: options.conf,
      env: { ...options.env, ...service?.env },
      cwd: options.cwd,
      onStderr,
      label: options.label,
    });
    const origin = `http://127.0.0.1:${port}`;
    let stopping: Promise<void> | null = null;
    return {
      sandbox,
      gunicorn,
      origin,
      events,
      eventTimes,
      log,
      elapsed,
      liveReadyWorkers: () => liveReady(gunicorn.records),
      flushLog() {
        if (partial !== "") feed(partial);
        partial = "";
        for (const parsed of parser.end()) {
          events.push(parsed.event);
          eventTimes.push(elapsed());
        }
      },
      stop(graceMs = 10_000) {
        stopping ??= gunicorn.stop(graceMs).then(teardown, teardown);
        return stopping;
      },
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}
