/**
 * The platform port: everything a long verb needs from the machine — the clock and timers, signals to
 * other processes, small file reads and writes, one-shot commands, and the shutdown coordinator — behind
 * one object, so a verb's loop gets it injected and tests pass a fake. Failures are values, not
 * exceptions: a kill says whether the process was gone, a read gives null, a write gives its error code.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { x } from "tinyexec";
import { processShutdown, type Shutdown } from "./shutdown.js";

export type KillResult = "sent" | "gone" | "denied";

/** A finished one-shot command, failed or not (execa's and tinyexec's result shape). */
export interface CommandResult {
  /** True when it ran and exited 0. */
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run or did not finish (not found, timed out), null when it ran to its end. */
  error: string | null;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Platform {
  /** Monotonic milliseconds (any origin). */
  now(): number;
  wallClock(): Date;
  /** Calls `fn` once after `ms`; returns the cancel function. Timers never keep the process alive. */
  after(ms: number, fn: () => void): () => void;
  /** Calls `fn` every `ms`; returns the cancel function. */
  every(ms: number, fn: () => void): () => void;
  /** A signal to a pid, or to a process group as a negative pid. */
  kill(target: number, signal: NodeJS.Signals): KillResult;
  /** A file's text, or null when it cannot be read. */
  readText(path: string): string | null;
  /** Writes a file; null when it worked, else the error code (EACCES, ENOENT, ...). */
  writeText(path: string, text: string): string | null;
  /** Runs a command to its end and gives back what it printed. */
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
  readonly pid: number;
  readonly shutdown: Shutdown;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** Runs a one-shot command with tinyexec; never rejects. */
async function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  try {
    const result = await x(command, [...args], {
      throwOnError: false,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      nodeOptions: {
        env: options.env ?? process.env,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    });
    const exitCode = result.exitCode ?? null;
    return {
      ok: exitCode === 0,
      exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      error: exitCode === null ? "did not exit normally (killed or timed out)" : null,
    };
  } catch (error) {
    return { ok: false, exitCode: null, stdout: "", stderr: "", error: errorCode(error) };
  }
}

/** The real machine. */
export function nodePlatform(): Platform {
  return {
    now: () => performance.now(),
    wallClock: () => new Date(),
    after(ms, fn) {
      const timer = setTimeout(fn, Math.max(0, ms));
      timer.unref();
      return () => clearTimeout(timer);
    },
    every(ms, fn) {
      const timer = setInterval(fn, ms);
      timer.unref();
      return () => clearInterval(timer);
    },
    kill(target, signal) {
      try {
        process.kill(target, signal);
        return "sent";
      } catch (error) {
        return errorCode(error) === "EPERM" ? "denied" : "gone";
      }
    },
    readText(path) {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return null;
      }
    },
    writeText(path, text) {
      try {
        writeFileSync(path, text);
        return null;
      } catch (error) {
        return errorCode(error);
      }
    },
    run: runCommand,
    pid: process.pid,
    get shutdown() {
      return processShutdown();
    },
  };
}
