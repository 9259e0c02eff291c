/**
 * One table of gunicorn message patterns per event kind, across 19.x – 26.x wording (gunicorn.md §4.2).
 * Matching is on the message text alone, so custom log formats degrade gracefully. Where the message
 * names a worker, that pid wins over the `[pid]` of the prefix (which is the emitting process).
 */
import type { EventDraft, GunicornEvent, MasterSignal } from "../events/types.js";
import { signalFromNumber, signalFromText } from "../events/signals.js";

/** Something a message says: an event, or a piece that completes a neighbouring event. */
export type MessageMatch =
  | { type: "event"; event: GunicornEvent; exitLine?: "plain" | "dotted" }
  | { type: "reason"; reason: string; exitCode?: number }
  | { type: "exception"; name: string; message: string }
  | { type: "halt-server"; reason: string; exitCode?: number };

/** What a line's prefix said, for the matchers. */
export interface MessageContext {
  /** The `[pid]` of gunicorn's header, or the syslog tag's pid. */
  pid?: number;
  /** Whether the line carried gunicorn's `[pid] [LEVEL]` header. */
  headed: boolean;
}

type Build = (m: RegExpExecArray, ctx: MessageContext) => MessageMatch | undefined;

const MASTER_SIGNALS = new Set<string>([
  "hup",
  "ttin",
  "ttou",
  "term",
  "int",
  "quit",
  "usr1",
  "usr2",
  "winch",
]);

function ev(event: EventDraft, ctx: MessageContext, pid?: number): MessageMatch {
  const built = event as GunicornEvent;
  built.source = "log";
  const who = pid ?? ctx.pid;
  if (who !== undefined) built.pid = who;
  return { type: "event", event: built };
}

const num = (text: string | undefined): number => Number(text);

/** Exit codes above 128 from a raw wait status are a signal plus the core-dump bit. */
export function decodeExitCode(code: number): { signal?: string; coreDump?: boolean } {
  if (code > 128 && code < 128 + 65 && code !== 255)
    return { signal: signalFromNumber(code - 128), coreDump: true };
  return {};
}

const TABLE: Array<[RegExp, Build]> = [
  [
    /Starting gunicorn (\S+)/,
    (m, c) => ev({ kind: "start", version: m[1]!, ...(c.pid === undefined ? {} : { masterPid: c.pid }) }, c),
  ],
  [
    /Listening at: (\S+)(?: \((\d+)\))?/,
    (m, c) => ev({ kind: "listening", address: m[1]! }, c, m[2] ? num(m[2]) : undefined),
  ],
  [/Booting worker with pid: ?(\d+)/, (m, c) => ev({ kind: "worker_boot" }, c, num(m[1]))],
  [/Worker exiting \(pid: ?(\d+)\)/, (m, c) => ev({ kind: "worker_exit" }, c, num(m[1]))],
  [/WORKER TIMEOUT \(pid: ?(\d+)\)/, (m, c) => ev({ kind: "worker_timeout" }, c, num(m[1]))],
  // gevent: a timed-out worker that drained until `graceful_timeout` (gunicorn.md §2.4).
  [/Worker graceful timeout \(pid: ?(\d+)\)/, (m, c) => ev({ kind: "worker_timeout" }, c, num(m[1]))],
  [
    /Worker with pid (\d+) was terminated due to signal (\d+)/,
    (m, c) =>
      ev({ kind: "worker_signal", signal: signalFromNumber(num(m[2])), cause: "unknown" }, c, num(m[1])),
  ],
  [
    /Worker \(pid: ?(\d+)\) exited with code (-?\d+)(\.?)/,
    (m, c) => {
      const code = num(m[2]);
      const match = ev({ kind: "worker_exit_code", code, ...decodeExitCode(code) }, c, num(m[1]));
      return match.type === "event" ? { ...match, exitLine: m[3] === "." ? "dotted" : "plain" } : match;
    },
  ],
  [
    /Worker \(pid: ?(\d+)\) was sent (SIG[A-Z0-9+-]+|code -?\d+|signal \d+)!?( Perhaps out of memory\?)?/,
    (m, c) => {
      const what = m[2]!;
      const code = /^code (-?\d+)$/.exec(what);
      if (code) {
        const decoded = decodeExitCode(num(code[1]));
        const signal = decoded.signal ?? `code ${code[1]!}`;
        const detail = decoded.coreDump ? `core dumped (raw status ${code[1]!})` : `raw status ${code[1]!}`;
        return ev({ kind: "worker_signal", signal, cause: "unknown", detail }, c, num(m[1]));
      }
      return ev({ kind: "worker_signal", signal: signalFromText(what), cause: "unknown" }, c, num(m[1]));
    },
  ],
  [
    /Handling signal: (\w+)/,
    (m, c) => {
      const name = m[1]!.toLowerCase().replace(/^sig/, "");
      return MASTER_SIGNALS.has(name)
        ? ev({ kind: "master_signal", signal: name as MasterSignal }, c)
        : undefined;
    },
  ],
  [/Autorestarting worker after current request/, (_m, c) => ev({ kind: "max_requests_restart" }, c)],
  [/Exception in worker process/, (_m, c) => ev({ kind: "worker_boot_error" }, c)],
  [
    /(Failed to find attribute .*|Failed to find application object.*|Failed to find application: .*|Application object must be callable\.?|Failed to parse .* as an attribute name or function call\.?|No application module specified\.?)$/,
    (m, c) => ev({ kind: "app_load_error", message: m[1]!.trim() }, c),
  ],
  [
    /Error while loading the application/,
    (_m, c) => ev({ kind: "app_load_error", message: "Error while loading the application" }, c),
  ],
  [/^Reason: (.*)$/, (m) => reasonMatch(m[1]!)],
  [/Shutting down: (.+)$/, (m, c) => ev({ kind: "halt", reason: `Shutting down: ${m[1]!.trim()}` }, c)],
  [
    /(Connection in use|Invalid address|Can't connect to)[: ]+(.*)$/,
    (m, c) => ev({ kind: "bind_error", address: m[2]!.trim(), message: m[0]!.trim() }, c),
  ],
  [
    /connection to (.+?) failed: (.*)$/,
    (m, c) => ev({ kind: "bind_error", address: m[1]!.trim(), message: m[0]!.trim() }, c),
  ],
  [
    /Unhandled exception in main loop/,
    (_m, c) => ev({ kind: "master_crash", message: "Unhandled exception in main loop" }, c),
  ],
  [
    /HaltServer: <HaltServer '([^']*)' (\d+)>/,
    (m) => ({ type: "halt-server", reason: m[1]!, exitCode: num(m[2]) }),
  ],
  [/^--- Logging error ---/, (_m, c) => ev({ kind: "logging_error" }, c)],
  [
    /Error handling request ?(.*)$/,
    (m, c) => {
      const rest = m[1]!.trim();
      if (rest === "(no URI read)" || rest === "")
        return ev({ kind: "request_error", message: "no URI read" }, c);
      const path = rest.replace(/^[A-Z]+ (?=\S)/, "");
      return ev({ kind: "request_error", path }, c);
    },
  ],
  [
    /(?:Memory cgroup out of memory|Out of memory): Kill(?:ed)? process (\d+)/,
    (m, c) =>
      ev(
        { kind: "worker_signal", signal: "SIGKILL", cause: "oom-confirmed", detail: "kernel OOM killer" },
        c,
        num(m[1]),
      ),
  ],
  [/Application startup complete\./, (_m, c) => ev({ kind: "worker_ready" }, c)],
  [
    /^(?:[\w.]+\.)?([A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning)|KeyboardInterrupt|SystemExit)(?:: (.*))?$/,
    (m) => ({ type: "exception", name: m[1]!, message: (m[2] ?? "").trim() }),
  ],
];

/** Every pattern above needs one of these words: a cheap test that skips access lines and app output. */
const KEYWORDS =
  /gunicorn|Listening|Booting|Worker|WORKER|signal|Autorestarting|Exception|Exit|Interrupt|Warning|Error|Failed|Application|application|Reason|Shutting|Connection|Invalid address|connect|HaltServer|Logging error|out of memory|Out of memory/;

function reasonMatch(reason: string): MessageMatch {
  const text = reason.trim();
  if (/Worker failed to boot/i.test(text)) return { type: "reason", reason: text, exitCode: 3 };
  if (/App failed to load/i.test(text)) return { type: "reason", reason: text, exitCode: 4 };
  return { type: "reason", reason: text };
}

/** Matches one gunicorn message (no prefix) against the pattern table; null when it says nothing known. */
export function matchMessage(message: string, ctx: MessageContext): MessageMatch | null {
  if (message.length === 0 || message.length > 20_000 || !KEYWORDS.test(message)) return null;
  for (const [re, build] of TABLE) {
    const m = re.exec(message);
    if (m) {
      const found = build(m, ctx);
      if (found) return found;
    }
  }
  return null;
}

/**
 * A service manager announcing a stop: systemd's `Stopping app.service - App...` (or, before 250,
 * `Stopping App...`) from the `systemd` tag. It signals the master, and under KillMode=control-group
 * the workers too, often before gunicorn logs `Handling signal: term`.
 */
export function serviceManagerStop(message: string, service: string | undefined): GunicornEvent | null {
  if (service !== "systemd" || !/^Stopping \S.*(?:\.\.\.|…)$/.test(message)) return null;
  return { kind: "master_signal", signal: "term", from: "service-manager", source: "log" };
}
