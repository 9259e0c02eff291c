/**
 * gwarden's signal handling as the supervisor of one gunicorn master: TERM and INT ask for a graceful
 * stop (each repetition escalates), HUP, TTIN, TTOU and USR1 are passed on to the master. Handlers are
 * installed on `process` (injectable) and removed by the returned function.
 */

export type StopSignal = "SIGTERM" | "SIGINT";
export type ForwardedSignal = "SIGHUP" | "SIGTTIN" | "SIGTTOU" | "SIGUSR1";

export const FORWARDED: readonly ForwardedSignal[] = ["SIGHUP", "SIGTTIN", "SIGTTOU", "SIGUSR1"];
const STOPS: readonly StopSignal[] = ["SIGTERM", "SIGINT"];

export interface SignalHandlers {
  /** A stop was asked; `count` is 1 for the first, 2 for the next... */
  stop(signal: StopSignal, count: number): void;
  forward(signal: ForwardedSignal): void;
}

export interface SignalTarget {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/** Installs the handlers; returns the function that removes them. */
export function handleSignals(handlers: SignalHandlers, target: SignalTarget = process): () => void {
  let stops = 0;
  const installed: [NodeJS.Signals, () => void][] = [];
  for (const signal of STOPS) installed.push([signal, () => handlers.stop(signal, ++stops)]);
  for (const signal of FORWARDED) installed.push([signal, () => handlers.forward(signal)]);
  for (const [signal, listener] of installed) target.on(signal, listener);
  return () => {
    for (const [signal, listener] of installed) target.off(signal, listener);
  };
}
