/**
 * The boot deadline (gunicorn.md §2.5): from gunicorn 22 on a worker that hangs in its import is never
 * timed out, so `run` kills any worker not ready (post_worker_init) within the planned deadline. Pure:
 * the clock is the caller's (milliseconds, any monotonic origin), events are folded in as they arrive.
 */
import type { GunicornEvent } from "../events/types.js";

/** Workers still booting: pid → when their boot was first seen (ms). */
export type BootClock = ReadonlyMap<number, number>;

/** No worker booting. */
export const EMPTY_BOOT_CLOCK: BootClock = new Map();

/** Events that end a boot: the worker is ready, or gone. */
const ENDS_BOOT = new Set<GunicornEvent["kind"]>([
  "worker_ready",
  "worker_exit",
  "worker_exit_code",
  "worker_signal",
  "boot_deadline_kill",
]);

/** Folds one event: a `worker_boot` starts the pid's clock at `nowMs`, readiness or death stops it; a new master clears all. */
export function noteBootEvent(clock: BootClock, event: GunicornEvent, nowMs: number): BootClock {
  if (event.kind === "start" || event.kind === "halt" || event.kind === "master_crash")
    return clock.size === 0 ? clock : EMPTY_BOOT_CLOCK;
  const pid = event.pid;
  if (pid === undefined) return clock;
  if (event.kind === "worker_boot") {
    if (clock.has(pid)) return clock;
    return new Map(clock).set(pid, nowMs);
  }
  if (ENDS_BOOT.has(event.kind) && clock.has(pid)) {
    const next = new Map(clock);
    next.delete(pid);
    return next;
  }
  return clock;
}

/** A worker seen in /proc before its post_fork record: starts its clock unless already known or already ready. */
export function noteBootSeen(clock: BootClock, pid: number, nowMs: number, ready: boolean): BootClock {
  return ready || clock.has(pid) ? clock : new Map(clock).set(pid, nowMs);
}

/** Workers whose boot has lasted longer than the deadline, oldest first. */
export function overdueBoots(clock: BootClock, nowMs: number, deadlineMs: number): number[] {
  return [...clock]
    .filter(([, since]) => nowMs - since > deadlineMs)
    .sort((a, b) => a[1] - b[1])
    .map(([pid]) => pid);
}

/** The event `run` records when it kills a worker at the deadline. */
export function bootDeadlineEvent(pid: number, deadlineSeconds: number, time: string): GunicornEvent {
  return { kind: "boot_deadline_kill", pid, deadlineSeconds, source: "supervisor", time };
}
