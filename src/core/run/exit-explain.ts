/**
 * Why gunicorn ended, and the exit code `run` passes on (gunicorn.md §4.4): 3 a worker failed to
 * boot, 4 the app failed to load, 1 a HaltServer crash (a second worker died while the master halted)
 * or another master failure, 128 + n for a signal. The diagnosis comes from the events first (the
 * app's own error message), then from the last lines of gunicorn's stderr.
 */
import type { GunicornEvent } from "../events/types.js";
import { errorLine, type BootExit } from "../profile/boot-failure.js";

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGTERM: 15,
};

export interface ExitExplanation {
  /** The status gwarden exits with. */
  exitCode: number;
  /** One line: what the exit status means. */
  meaning: string;
  /** The app's or gunicorn's own error, when one was found. */
  diagnosis: string | null;
}

/** The exit code gwarden uses for gunicorn's exit: its code, or 128 + the signal number. */
export function exitCodeOf(exit: BootExit): number {
  if (exit.code !== null) return exit.code;
  const n = exit.signal === null ? undefined : SIGNALS[exit.signal];
  return n === undefined ? 1 : 128 + n;
}

/** The most telling diagnosis among the events, newest first: load errors, boot errors, bind, crashes. */
export function diagnose(events: readonly GunicornEvent[], stderrTail = ""): string | null {
  const newest = <T>(pick: (e: GunicornEvent) => T | null): T | null => {
    for (let i = events.length - 1; i >= 0; i--) {
      const found = pick(events[i]!);
      if (found !== null) return found;
    }
    return null;
  };
  // The app's own error first: a HaltServer crash after it is only its consequence.
  const app = newest((e) =>
    e.kind === "app_load_error"
      ? `app fails to load: ${e.message}`
      : e.kind === "worker_boot_error" && e.message
        ? `app fails to import: ${e.message}`
        : null,
  );
  if (app !== null) return app;
  const bind = newest((e) =>
    e.kind === "bind_error" ? `cannot bind${e.address ? ` ${e.address}` : ""}: ${e.message}` : null,
  );
  if (bind !== null) return bind;
  const crash = newest((e) => (e.kind === "master_crash" ? `the master crashed: ${e.message}` : null));
  if (crash !== null) return crash;
  const halt = /HaltServer: <HaltServer '([^']*)' (\d+)>/.exec(stderrTail);
  if (halt) return `gunicorn halted: ${halt[1]} (HaltServer ${halt[2]})`;
  const line = errorLine(stderrTail);
  if (line !== null) return `last error: ${line}`;
  const boot = events.filter((e) => e.kind === "worker_boot_error").pop();
  if (boot) return "a worker failed to boot";
  const oom = events.filter((e) => e.kind === "worker_signal" && e.cause === "oom-confirmed").pop();
  if (oom?.kind === "worker_signal") return `OOM kill: ${oom.detail ?? "a process was OOM-killed"}`;
  return null;
}

/** Explains an exit of the master: meaning of the status, and the diagnosis. */
export function explainExit(
  exit: BootExit,
  events: readonly GunicornEvent[],
  stderrTail = "",
): ExitExplanation {
  const exitCode = exitCodeOf(exit);
  let meaning: string;
  if (exit.signal !== null) meaning = `the gunicorn master was killed by ${exit.signal}`;
  else if (exit.code === 0) meaning = "gunicorn stopped cleanly";
  else if (exit.code === 3) meaning = "gunicorn halted: a worker failed to boot (exit 3)";
  else if (exit.code === 4) meaning = "gunicorn halted: the app failed to load (exit 4)";
  else if (exit.code === 2) meaning = "gunicorn rejected its command line (exit 2)";
  else if (exit.code === 1 && /HaltServer/.test(stderrTail))
    meaning = "gunicorn crashed while halting (HaltServer, exit 1): workers failed to boot";
  else if (exit.code === 255) meaning = "gunicorn's main loop failed (exit 255)";
  else meaning = `gunicorn exited with code ${exit.code ?? "?"}`;
  return {
    exitCode,
    meaning,
    diagnosis: exit.code === 0 && exit.signal === null ? null : diagnose(events, stderrTail),
  };
}
