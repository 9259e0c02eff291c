/** Linux signal numbers and names as gunicorn prints them (`SIGKILL`, `signal 9`, `9`). */

const NAMES: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  10: "SIGUSR1",
  11: "SIGSEGV",
  12: "SIGUSR2",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
  16: "SIGSTKFLT",
  17: "SIGCHLD",
  18: "SIGCONT",
  19: "SIGSTOP",
  20: "SIGTSTP",
  21: "SIGTTIN",
  22: "SIGTTOU",
  23: "SIGURG",
  24: "SIGXCPU",
  25: "SIGXFSZ",
  26: "SIGVTALRM",
  27: "SIGPROF",
  28: "SIGWINCH",
  29: "SIGIO",
  30: "SIGPWR",
  31: "SIGSYS",
};

/** `9` → `SIGKILL`; unknown numbers stay `signal N`. */
export function signalFromNumber(n: number): string {
  return NAMES[n] ?? `signal ${n}`;
}

/** `SIGKILL`, `signal 9`, `kill` → `SIGKILL`. */
export function signalFromText(text: string): string {
  const t = text.trim();
  const numeric = /^(?:signal )?(\d+)$/.exec(t);
  if (numeric) return signalFromNumber(Number(numeric[1]));
  const upper = t.toUpperCase();
  return upper.startsWith("SIG") ? upper : `SIG${upper}`;
}
