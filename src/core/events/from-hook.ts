/**
 * Instrumentation hook records (hook-record.ts) → the lifecycle vocabulary, so `run` feeds hook events
 * through the same classifier and state machine as `analyze` feeds log lines.
 */
import { signalFromNumber } from "./signals.js";
import type { HookRecord } from "./hook-record.js";
import type { GunicornEvent } from "./types.js";

function isoOf(seconds: number): string | undefined {
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 1e11) return undefined;
  return new Date(Math.round(seconds * 1000)).toISOString();
}

/** Maps one hook record to an event, or null for hooks that say nothing about the lifecycle. */
export function eventFromHook(record: HookRecord): GunicornEvent | null {
  const time = isoOf(record.time);
  const base = { source: "hook" as const, ...(time === undefined ? {} : { time }) };
  const worker = record.worker ?? record.pid;
  switch (record.hook) {
    case "on_starting":
      return {
        ...base,
        kind: "start",
        pid: record.pid,
        masterPid: record.pid,
        ...(record.version ? { version: record.version } : {}),
      };
    case "when_ready":
      return { ...base, kind: "listening", pid: record.pid, address: (record.addresses ?? []).join(",") };
    case "post_fork":
      return { ...base, kind: "worker_boot", pid: record.pid };
    case "post_worker_init":
      // The user's own post_worker_init raised: gunicorn will stop this worker, it never serves.
      if (record.userHookError !== undefined) {
        return {
          ...base,
          kind: "worker_boot_error",
          pid: record.pid,
          message: `post_worker_init hook raised ${record.userHookError}`,
        };
      }
      return { ...base, kind: "worker_ready", pid: record.pid };
    case "worker_abort":
      return { ...base, kind: "worker_timeout", pid: record.pid };
    case "child_exit": {
      if (record.signal !== undefined && record.signal !== null && record.signal > 0) {
        return {
          ...base,
          kind: "worker_signal",
          pid: worker,
          signal: signalFromNumber(record.signal),
          cause: "unknown",
        };
      }
      const code = record.exitcode;
      if (code === undefined || code === null || code === 0)
        return { ...base, kind: "worker_exit", pid: worker };
      return { ...base, kind: "worker_exit_code", pid: worker, code };
    }
    case "nworkers_changed": {
      if (
        record.old === undefined ||
        record.old === null ||
        record.new === undefined ||
        record.new === record.old
      )
        return null;
      return {
        ...base,
        kind: "master_signal",
        pid: record.pid,
        signal: record.new > record.old ? "ttin" : "ttou",
      };
    }
    case "on_reload":
      return { ...base, kind: "master_signal", pid: record.pid, signal: "hup" };
    case "on_exit":
      return { ...base, kind: "halt", pid: record.pid, reason: "Shutting down: Master" };
    case "memory_guard": {
      // The worker retires itself after this request (gunicorn forks a fresh one): gwarden's `recycle`.
      const mib = (bytes: number | undefined): number => Math.round((bytes ?? 0) / 1048576);
      return {
        ...base,
        kind: "recycle",
        pid: record.pid,
        reason: `memory: in-worker guard: private memory ${mib(record.private)} MiB ≥ budget ${mib(record.budget)} MiB`,
        ...(record.private === undefined ? {} : { bytes: record.private }),
      };
    }
    case "memory_event": // an input of the supervisor (react within 100 ms), not a lifecycle event
    case "worker_exit":
    case "worker_int":
      return null;
  }
}
