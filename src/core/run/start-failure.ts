/**
 * Starts that cannot succeed, told on the first failure: a restart would print the same traceback again
 * for a minute of backoff. A missing module or app attribute, a syntax error in the app, an address
 * another process holds (gunicorn already retried it five times) and a command line gunicorn rejects
 * stay that way until someone changes something. An import that fails for a passing reason (the
 * database not up yet, as SimpleLogin's app/db.py connects at import) is not among them: that one keeps
 * the backoff. Pure: it reads gunicorn's exit and the end of its stderr.
 */
import type { GunicornEvent } from "../events/types.js";
import type { BootExit } from "../profile/boot-failure.js";

export interface PermanentFailure {
  /** What is wrong, with the app's or gunicorn's own words. */
  reason: string;
  /** What to do about it. */
  fix: string;
}

interface Rule {
  /** The telling line, matched anywhere in the stderr tail (the last match wins). */
  pattern: RegExp;
  reason: (match: RegExpExecArray) => string;
  fix: string;
}

const RULES: readonly Rule[] = [
  {
    pattern: /^(?:\w+\.)*ModuleNotFoundError: No module named '([^']+)'/m,
    reason: (m) => `the app does not import: no module named '${m[1]}'`,
    fix: "check the module:callable after `--`, gunicorn's --chdir and --pythonpath, and that the package is installed in the Python gunicorn runs with",
  },
  {
    pattern: /^Failed to find (?:attribute|application object) '([^']+)' in '([^']+)'\.?/m,
    reason: (m) => `the app does not load: no '${m[1]}' in module '${m[2]}'`,
    fix: "name the WSGI callable the module really defines (module:callable), or the factory call (module:create_app())",
  },
  {
    pattern: /^(?:\w+\.)*(SyntaxError|IndentationError|TabError): (.+)$/m,
    reason: (m) => `the app does not import: ${m[1]}: ${m[2]}`,
    fix: "fix the error in the app's code (the traceback above says where)",
  },
  {
    pattern: /Can't connect to (\(?[^\n]*\)?)$/m,
    reason: (m) => `the address is in use: gunicorn could not bind ${m[1]!.trim()} after 5 tries`,
    fix: "stop the process holding the port (`ss -ltnp`), or bind gunicorn elsewhere (-b)",
  },
  {
    pattern: /^Error: \[Errno 13\] Permission denied: '([^']+)'/m,
    reason: (m) => `gunicorn may not open ${m[1]} (permission denied)`,
    fix: "let the user gunicorn runs as read it (a wrapper like setpriv, gosu or runuser changes the user; so does --user)",
  },
  {
    pattern: /^(?:gunicorn|__main__\.py): error: (.+)$/m,
    reason: (m) => `gunicorn rejects its command line: ${m[1]}`,
    fix: "correct the gunicorn arguments after `--` (or in GUNICORN_CMD_ARGS); `gunicorn --help` lists them",
  },
];

function lastMatch(pattern: RegExp, text: string): RegExpExecArray | null {
  const global = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
  let found: RegExpExecArray | null = null;
  for (let m = global.exec(text); m !== null; m = global.exec(text)) found = m;
  return found;
}

/**
 * Whether this exit of the master is one a restart cannot mend, and why. Only exits on gunicorn's own
 * (not a signal) after a run that never served: a master that served and then failed gets the backoff.
 */
export function permanentFailure(
  exit: BootExit,
  events: readonly GunicornEvent[],
  stderrTail: string,
): PermanentFailure | null {
  if (exit.signal !== null || exit.code === 0 || exit.code === null) return null;
  if (events.some((e) => e.kind === "worker_ready")) return null;
  let best: { at: number; failure: PermanentFailure } | null = null;
  for (const rule of RULES) {
    const m = lastMatch(rule.pattern, stderrTail);
    if (m !== null && (best === null || m.index > best.at))
      best = { at: m.index, failure: { reason: rule.reason(m), fix: rule.fix } };
  }
  return best?.failure ?? null;
}
