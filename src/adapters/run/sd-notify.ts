/**
 * Tells systemd how gwarden is doing (Type=notify units): carries out the loop's `notify` commands
 * (READY=1, STOPPING=1, WATCHDOG=1: when is the step's business, src/core/run/loop-step.ts).
 *
 * Node cannot send an AF_UNIX datagram (node:dgram has no unix sockets), so each message is sent by
 * `systemd-notify`, spawned directly (no shell), a few times per minute at most: ~7 ms of one core per
 * message and no memory between messages. As root, systemd-notify sends the message with its parent's
 * pid in the credentials — gwarden's, the unit's main pid — so `NotifyAccess=main` (the default) is
 * enough; as another user the credentials are its own, so the unit needs `NotifyAccess=all` (its
 * barrier wait keeps it alive until systemd has read the message). The other ways are weighed in
 * docs/systemd.md. systemd's variables are removed from the environment on creation, as
 * sd_notify(unset_environment=1) does: gunicorn's arbiter sends its own READY=1 when it inherits
 * NOTIFY_SOCKET, before any worker is ready.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { NOTIFY_VARIABLES, notifySetup } from "../../core/run/sd-notify-env.js";

export interface SdNotifier {
  /** Sends one message (`READY=1`, `STOPPING=1`, `WATCHDOG=1`, ...); a ping is skipped while the previous one is still being delivered. */
  notify(message: string): void;
  /** How often the loop should ping (half of WatchdogSec), or null when the unit has no watchdog. */
  readonly watchdogIntervalMs: number | null;
}

export interface SdNotifyOptions {
  /** Read, then cleared of NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (default process.env). */
  env?: NodeJS.ProcessEnv;
  pid?: number;
  /** systemd-notify's path (default: found on PATH, then /usr/bin, /bin). */
  command?: string | null;
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  /** A delivery problem, said once until a message gets through again. */
  onError?: (message: string) => void;
}

/** systemd-notify on PATH or where Debian and others install it; null when absent. */
export function findSystemdNotify(env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? "").split(delimiter).filter((d) => d !== ""), "/usr/bin", "/bin"];
  for (const dir of dirs) {
    const candidate = join(dir, "systemd-notify");
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** A notifier when a service manager listens (NOTIFY_SOCKET is set), else null. */
export function createSdNotifier(options: SdNotifyOptions = {}): SdNotifier | null {
  const env = options.env ?? process.env;
  const setup = notifySetup(env, options.pid ?? process.pid);
  for (const name of NOTIFY_VARIABLES) Reflect.deleteProperty(env, name);
  if (setup === null) return null;
  const onError = options.onError ?? (() => undefined);
  const command = options.command === undefined ? findSystemdNotify(env) : options.command;
  if (command === null) {
    onError(
      "NOTIFY_SOCKET is set but systemd-notify is not installed: systemd will not hear READY=1 (a Type=notify unit times out); use Type=exec, or install systemd-notify",
    );
    return null;
  }
  const spawn = options.spawn ?? nodeSpawn;
  let pinging = false;
  let failing = false;
  const fail = (why: string): void => {
    if (!failing) onError(`systemd notification failed: ${why}`);
    failing = true;
  };
  return {
    watchdogIntervalMs: setup.watchdogIntervalMs,
    notify(message) {
      const ping = message === "WATCHDOG=1";
      if (ping && pinging) return;
      if (ping) pinging = true;
      const child = spawn(command, [message], { env: { NOTIFY_SOCKET: setup.socket }, stdio: "ignore" });
      const done = (problem: string | null): void => {
        if (ping) pinging = false;
        if (problem === null) failing = false;
        else fail(problem);
      };
      child.once("error", (error) => done(error.message));
      child.once("exit", (code, signal) =>
        done(code === 0 ? null : `systemd-notify ${message} exited with ${code ?? signal}`),
      );
    },
  };
}
