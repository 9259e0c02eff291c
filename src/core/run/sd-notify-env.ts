/**
 * The systemd notification protocol's inputs and messages (sd_notify(3)), pure. systemd hands a
 * Type=notify service `NOTIFY_SOCKET` (a path, or `@name` for an abstract socket) and, with
 * WatchdogSec=, `WATCHDOG_USEC` (and `WATCHDOG_PID`: the ping is owed only by that process). A message
 * is newline-separated `KEY=VALUE` assignments.
 */

/** The variables systemd sets for the notification protocol: children must not inherit them. */
export const NOTIFY_VARIABLES = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] as const;

export interface NotifySetup {
  /** NOTIFY_SOCKET as given: `/run/systemd/notify` or `@abstract-name`. */
  socket: string;
  /** How often to send WATCHDOG=1: half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; null without a watchdog. */
  watchdogIntervalMs: number | null;
}

/** What the environment asks of process `pid`, or null when no service manager listens. */
export function notifySetup(
  env: Readonly<Record<string, string | undefined>>,
  pid: number,
): NotifySetup | null {
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || !(socket.startsWith("/") || socket.startsWith("@")) || socket.length < 2)
    return null;
  return { socket, watchdogIntervalMs: watchdogInterval(env, pid) };
}

function watchdogInterval(env: Readonly<Record<string, string | undefined>>, pid: number): number | null {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || !/^\d+$/.test(usec) || Number(usec) === 0) return null;
  const owner = env.WATCHDOG_PID;
  if (owner !== undefined && owner !== "" && owner !== String(pid)) return null;
  return Math.max(1, Math.floor(Number(usec) / 2000));
}
