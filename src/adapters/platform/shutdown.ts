/**
 * The one place that listens to the signals a long verb reacts to. SIGINT and SIGTERM are stops: the
 * first aborts `signal` (an AbortSignal every loop can watch), and each one is passed to the stop
 * listeners with how many came so far. While nobody listens for stops, a stop ends the process the
 * way Node would, killed by that signal (so a shell or a supervisor sees a signal death, not an exit
 * code) — after the `atExit` cleanups, which also run on any other exit (removing cgroups, killing a
 * child's process group). HUP, TTIN, TTOU and USR1 go to whoever subscribed to them (`gwarden run`
 * passes them to gunicorn).
 */
export type StopSignal = "SIGINT" | "SIGTERM";
export type PassedSignal = "SIGHUP" | "SIGTTIN" | "SIGTTOU" | "SIGUSR1";

export interface Shutdown {
  /** Aborted at the first stop. */
  readonly signal: AbortSignal;
  /** Stops so far. */
  readonly stops: number;
  /** Calls `listener` on every stop until the returned function is called. */
  onStop(listener: (signal: StopSignal, count: number) => void): () => void;
  /** Calls `listener` on `signal` until the returned function is called (the signal is ignored otherwise). */
  on(signal: PassedSignal, listener: () => void): () => void;
  /** Runs `cleanup` when the process exits, whatever the reason (synchronous work only). */
  atExit(cleanup: () => void): () => void;
  /** Runs the exit cleanups, then ends the process by `signal`'s default action. */
  exitBy(signal: StopSignal): void;
}

/** What the coordinator needs of `process` (injectable for tests). */
export interface SignalSource {
  on(event: string, listener: () => void): unknown;
  /** Ends the process by `signal`'s default action (our handlers removed first). */
  die(signal: StopSignal): void;
}

/** A coordinator over `source` (the process by default: see `processShutdown`). */
export function createShutdown(source: SignalSource): Shutdown {
  const controller = new AbortController();
  const stopListeners = new Set<(signal: StopSignal, count: number) => void>();
  const passed = new Map<PassedSignal, Set<() => void>>();
  const cleanups = new Set<() => void>();
  let stops = 0;

  const runCleanups = (): void => {
    for (const cleanup of [...cleanups]) {
      cleanups.delete(cleanup);
      try {
        cleanup();
      } catch (error) {
        process.stderr.write(`gwarden: cleanup at exit failed: ${(error as Error).message}\n`);
      }
    }
  };
  const exitBy = (signal: StopSignal): void => {
    runCleanups();
    source.die(signal);
  };
  source.on("exit", runCleanups);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    source.on(signal, () => {
      stops++;
      if (!controller.signal.aborted) controller.abort(signal);
      if (stopListeners.size === 0) exitBy(signal);
      for (const listener of [...stopListeners]) listener(signal, stops);
    });
  }

  return {
    signal: controller.signal,
    get stops() {
      return stops;
    },
    onStop(listener) {
      stopListeners.add(listener);
      return () => stopListeners.delete(listener);
    },
    on(signal, listener) {
      let listeners = passed.get(signal);
      if (!listeners) {
        const set = new Set<() => void>();
        listeners = set;
        passed.set(signal, set);
        source.on(signal, () => {
          for (const l of [...set]) l();
        });
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    atExit(cleanup) {
      cleanups.add(cleanup);
      return () => cleanups.delete(cleanup);
    },
    exitBy,
  };
}

let shared: Shutdown | null = null;

/** The process's coordinator, created on first use (so a verb that never asks installs no handler). */
export function processShutdown(): Shutdown {
  shared ??= createShutdown({
    on: (event, listener) => process.on(event, listener),
    die: (signal) => {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    },
  });
  return shared;
}
