/**
 * How workers died around a stop, decided with the whole lane in view (the incremental classifier has
 * seen only what came before each death):
 * - a SIGKILL that a kernel OOM line names is `oom-confirmed`, wherever the line sits (a merged journal,
 *   or `analyze app.log kern.log` with the kernel's lines last);
 * - a SIGKILL during a stop is the stop's own kill (`shutdown`) when it is gunicorn's graceful-timeout
 *   kill or a supervisor's burst: those spare no worker still running, come no sooner than the
 *   graceful timeout (gunicorn) and are followed by no replacement. A kill within 2 s of TERM/INT/QUIT
 *   while another worker exits normally, a kill after which another worker still exits normally, or one
 *   a new worker replaces, is none of these: `oom-suspected`;
 * - a SIGTERM death just before the master's TERM is the stop too: a service manager (systemd's
 *   KillMode=control-group) signals every process at once, and a worker can die before gunicorn logs it.
 */
import type { EventOf, GunicornEvent } from "../events/types.js";
import { msOf } from "../events/time.js";

/** gunicorn kills stragglers only `graceful_timeout` after TERM; 1 s is the least anyone sets. */
const EARLY_MS = 2_000;
/** Kills this close together are one burst. */
const BURST_MS = 1_000;
/** How far apart a kernel OOM line and gunicorn's line about the same death may be. */
const KERNEL_MS = 30_000;
const KERNEL_EVENTS = 40;
/** A SIGTERM death this close before the master's TERM belongs to the stop. */
const BEFORE_STOP_MS = 2_000;
const BEFORE_STOP_EVENTS = 6;
const COMPARABLE_MS = 180 * 86_400_000;

type Signal = EventOf<"worker_signal">;

/** Milliseconds from a to b when both have comparable times, else undefined. */
function apart(a: GunicornEvent, b: GunicornEvent): number | undefined {
  const from = msOf(a.time);
  const to = msOf(b.time);
  if (from === undefined || to === undefined || Math.abs(to - from) > COMPARABLE_MS) return undefined;
  return to - from;
}

function isKill(e: GunicornEvent): boolean {
  return e.kind === "worker_signal" && e.signal === "SIGKILL";
}

function isGentleDeath(e: GunicornEvent): e is Signal {
  return e.kind === "worker_signal" && ["SIGTERM", "SIGQUIT", "SIGINT"].includes(e.signal);
}

/** A worker leaving on its own during a stop: `Worker exiting`, exit code 0, or a TERM/QUIT death. */
function isNormalExit(e: GunicornEvent): boolean {
  return e.kind === "worker_exit" || (e.kind === "worker_exit_code" && e.code === 0) || isGentleDeath(e);
}

function isStop(e: GunicornEvent): boolean {
  return e.kind === "master_signal" && (e.signal === "term" || e.signal === "int" || e.signal === "quit");
}

function isKernelOom(e: GunicornEvent): boolean {
  return e.kind === "worker_signal" && e.cause === "oom-confirmed" && e.detail === "kernel OOM killer";
}

/** Rewrites, in place, the causes of deaths around stops in one lane (`indexes`, in order). */
export function judgeStops(events: GunicornEvent[], indexes: readonly number[]): void {
  confirmByKernel(events, indexes);
  sigtermsBeforeStop(events, indexes);
  let window: number[] | null = null;
  for (const i of indexes) {
    const e = events[i]!;
    if (e.kind === "start") {
      if (window) judgeWindow(events, window);
      window = null;
    } else if (window) window.push(i);
    else if (isStop(e)) window = [i];
  }
  if (window) judgeWindow(events, window);
}

function confirmByKernel(events: GunicornEvent[], indexes: readonly number[]): void {
  const kernel = events.flatMap((e, i) => (isKernelOom(e) && e.pid !== undefined ? [{ e, i }] : []));
  if (kernel.length === 0) return;
  for (const i of indexes) {
    const e = events[i]!;
    if (e.kind !== "worker_signal" || !isKill(e) || e.cause === "oom-confirmed") continue;
    const line = kernel.find(({ e: k, i: at }) => {
      if (k.pid !== e.pid) return false;
      const ms = apart(k, e);
      return ms === undefined ? Math.abs(at - i) <= KERNEL_EVENTS : Math.abs(ms) <= KERNEL_MS;
    });
    if (line) events[i] = { ...e, cause: "oom-confirmed", detail: "confirmed by the kernel's OOM line" };
  }
}

function sigtermsBeforeStop(events: GunicornEvent[], indexes: readonly number[]): void {
  indexes.forEach((i, n) => {
    const stop = events[i]!;
    if (!isStop(stop) || (stop.kind === "master_signal" && stop.from === "service-manager")) return;
    for (let back = n - 1; back >= 0 && n - back <= BEFORE_STOP_EVENTS; back--) {
      const j = indexes[back]!;
      const e = events[j]!;
      if (e.kind === "worker_boot" || e.kind === "start") return;
      const ms = apart(e, stop);
      if (ms !== undefined && ms > BEFORE_STOP_MS) return;
      if (isGentleDeath(e) && (e.cause === "unknown" || e.cause === "scale-down"))
        events[j] = { ...e, cause: "shutdown", detail: "signalled with the master as the service stopped" };
    }
  });
}

/** One stop: the stop signal's index first, then the lane's events until the next start. */
function judgeWindow(events: GunicornEvent[], window: readonly number[]): void {
  const stop = events[window[0]!]!;
  let n = 1;
  while (n < window.length) {
    if (!isKill(events[window[n]!]!)) {
      n++;
      continue;
    }
    const burst = [window[n]!];
    let last = events[window[n]!]!;
    for (n++; n < window.length; n++) {
      const e = events[window[n]!]!;
      if (!isKill(e)) {
        if (e.kind === "worker_signal" || e.kind === "worker_exit" || e.kind === "worker_boot") break;
        continue;
      }
      const gap = apart(last, e);
      if (gap !== undefined && gap > BURST_MS) break;
      burst.push(window[n]!);
      last = e;
    }
    judgeBurst(events, window, burst, stop);
  }
}

function judgeBurst(
  events: GunicornEvent[],
  window: readonly number[],
  burst: readonly number[],
  stop: GunicornEvent,
): void {
  const victims = new Set(burst.map((i) => events[i]!.pid));
  const first = window.indexOf(burst[0]!);
  const after = window.slice(window.indexOf(burst[burst.length - 1]!) + 1).map((i) => events[i]!);
  const before = window.slice(1, first).map((i) => events[i]!);
  const other = (e: GunicornEvent) => !victims.has(e.pid);
  const since = apart(stop, events[burst[0]!]!);
  const early = since !== undefined && since < EARLY_MS;
  const replaced = after.some((e) => e.kind === "worker_boot");
  const outlived = after.find((e) => other(e) && isNormalExit(e));
  const spared = early ? before.find((e) => other(e) && isNormalExit(e)) : undefined;
  const why = replaced
    ? "a new worker replaced it, so the master was not stopping"
    : outlived
      ? `worker ${outlived.pid ?? "?"} still exited normally after it, so this was no kill of every worker left`
      : spared
        ? `${Math.round(since! / 1000)} s after ${stop.kind === "master_signal" ? stop.signal.toUpperCase() : "the stop"} while worker ${spared.pid ?? "?"} exited normally: gunicorn kills only graceful_timeout after TERM, and a supervisor's kill spares nobody`
        : null;
  if (why === null) return;
  for (const i of burst) {
    const e = events[i]! as Signal;
    if (e.cause === "shutdown")
      events[i] = { ...e, cause: "oom-suspected", detail: `not the stop's kill: ${why}` };
  }
}
