/**
 * A look back the incremental classifier cannot take: an `oom-suspected` SIGKILL that the master's own
 * halt follows within `graceful_timeout` (no boot in between) was the shutdown's kill, e.g. when the
 * `Handling signal: term` line is missing (log level warning, a cut excerpt).
 */
import type { GunicornEvent } from "../events/types.js";
import { msOf } from "../events/time.js";

const WINDOW_MS = 35_000;
const WINDOW_EVENTS = 20;

/** Rewrites, in place, the causes of SIGKILLs that precede a halt; `indexes` is one lane's events. */
export function markKillsBeforeHalt(events: GunicornEvent[], indexes: readonly number[]): void {
  let halt: { at?: number; position: number } | undefined;
  for (let n = indexes.length - 1; n >= 0; n--) {
    const i = indexes[n]!;
    const e = events[i]!;
    if (e.kind === "halt") {
      const at = msOf(e.time);
      halt = at === undefined ? { position: n } : { at, position: n };
    } else if (e.kind === "worker_boot" || e.kind === "start") {
      halt = undefined;
    } else if (halt && e.kind === "worker_signal" && e.cause === "oom-suspected") {
      const at = msOf(e.time);
      const close =
        halt.at !== undefined && at !== undefined
          ? halt.at - at <= WINDOW_MS
          : halt.position - n <= WINDOW_EVENTS;
      if (close) events[i] = { ...e, cause: "shutdown", detail: "killed as the master shut down" };
    }
  }
}
